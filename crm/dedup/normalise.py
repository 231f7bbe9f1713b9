"""Normalisation for matching: names, e-mails, birth dates, addresses, phonetic keys.

Storage keeps what people typed; these functions build the forms two records
are compared on. Names lose case, accents, punctuation and spacing; common
French and English nicknames map to one given name ("Bob" and "Robert",
"Jeannot" and "Jean"); e-mails take their canonical mailbox form (case, a
"+tag", dots in a Gmail local part); phones are already stored in E.164.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_LETTER = re.compile(r"[^a-z0-9]+")

# Nickname or short form -> given name. Only forms that a CRM really receives in place of the given name.
NICKNAMES: dict[str, str] = {
    # English
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "bill": "william",
    "will": "william",
    "billy": "william",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "eliza": "elizabeth",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "tom": "thomas",
    "tommy": "thomas",
    "kate": "katherine",
    "kathy": "katherine",
    "cathy": "katherine",
    "katie": "katherine",
    "catherine": "katherine",
    "peggy": "margaret",
    "maggie": "margaret",
    "meg": "margaret",
    "jenny": "jennifer",
    "jen": "jennifer",
    "dave": "david",
    "tony": "anthony",
    "chris": "christopher",
    "steve": "stephen",
    "steven": "stephen",
    "sam": "samuel",
    "ben": "benjamin",
    "alex": "alexander",
    "andy": "andrew",
    "nick": "nicholas",
    "pat": "patricia",
    "sue": "susan",
    "joe": "joseph",
    "dan": "daniel",
    "danny": "daniel",
    "ed": "edward",
    "ted": "edward",
    "harry": "henry",
    "jack": "john",
    "johnny": "john",
    "matt": "matthew",
    "charlie": "charles",
    "chuck": "charles",
    # French
    "jeannot": "jean",
    "jojo": "joseph",
    "manu": "emmanuel",
    "fred": "frederic",
    "greg": "gregoire",
    "seb": "sebastien",
    "nico": "nicolas",
    "domi": "dominique",
    "zaza": "isabelle",
    "isa": "isabelle",
    "babette": "elizabeth",
    "elisabeth": "elizabeth",
    "margot": "marguerite",
    "cath": "katherine",
    "steph": "stephane",
    "flo": "florence",
    "val": "valerie",
    "caro": "caroline",
    "max": "maxime",
    "jb": "jeanbaptiste",
    "jp": "jeanpierre",
    "jc": "jeanclaude",
    "pierrot": "pierre",
    "mimi": "michele",
    "loulou": "louise",
    "titi": "thierry",
    "guigui": "guillaume",
    "gab": "gabriel",
    "rico": "henri",
    "riri": "henri",
    "tonio": "antoine",
}


def plain(text: str | None) -> str:
    """Lower case, accents off, punctuation and spacing gone: "Jean-Marie  O'Néil" -> "jeanmarie oneil".

    Hyphens, apostrophes and dots join their parts; other separators become one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = re.sub("['\u2019\\-.]", "", ascii_text)
    return " ".join(part for part in _NOT_LETTER.split(ascii_text) if part)


def given_name(text: str | None) -> str:
    """A first name as compared: plain, spaces out, nickname replaced by the given name."""
    key = plain(text).replace(" ", "")
    return NICKNAMES.get(key, key)


def surname(text: str | None) -> str:
    return plain(text).replace(" ", "")


def canonical_email(value: str | None) -> str:
    """The mailbox an address reaches: lower case, "+tag" off, and for Gmail the dots of the local part off."""
    text = (value or "").strip().lower()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


_PHONETIC_RULES = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"(ck|q|c(?=[aou])|k)"), "k"),
    (re.compile(r"c"), "s"),
    (re.compile(r"z"), "s"),
    (re.compile(r"y"), "i"),
    (re.compile(r"w"), "v"),
    (re.compile(r"h"), ""),
    (re.compile(r"(eau|au|o)"), "o"),
    (re.compile(r"(ai|ei|e)"), "e"),
)


def phonetic(text: str, length: int = 4) -> str:
    """A short sound key tolerant of the spelling variants of French and English names.

    The first letter, then the consonant skeleton with look-alike sounds merged
    (ph/f, c/k/q, s/z, y/i, silent h) and doubled letters collapsed, cut at
    `length`: "Philippe" and "Filipe", "Durand" and "Durant" stay close enough
    for blocking, which only needs the true pairs to share one key.
    """
    word = surname(text)
    if not word:
        return ""
    for pattern, replacement in _PHONETIC_RULES:
        word = pattern.sub(replacement, word)
    first, rest = word[0], re.sub(r"[aeiou]", "", word[1:])
    rest = re.sub(r"(.)\1+", r"\1", rest)
    rest = re.sub(r"[dt]$", "", rest)  # Durand / Durant / Duran
    return (first + rest)[:length]


def street_key(text: str | None) -> str:
    """A street as compared: plain, common abbreviations expanded, house-number letters kept."""
    words = plain(text).split()
    return " ".join(STREET_WORDS.get(word, word) for word in words)


STREET_WORDS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "r": "rue",
    "st": "street",
    "rd": "road",
    "pl": "place",
    "imp": "impasse",
    "che": "chemin",
    "ch": "chemin",
    "rte": "route",
    "fbg": "faubourg",
    "sq": "square",
    "ln": "lane",
    "dr": "drive",
}


def postcode(text: str | None) -> str:
    return (text or "").replace(" ", "").upper()
