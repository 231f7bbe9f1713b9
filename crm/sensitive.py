"""Sensitive and insulting terms in free text (CON-04, CNIL "zones bloc-notes").

Notes and interaction bodies are read by the person on request and must stay
objective. A server-side check flags terms that reveal a special category of
data (Art. 9) or insult the person; saving such a text needs a justification,
which is logged (the text itself is not copied into the log).

The list is configurable: `CRM_SENSITIVE_TERMS` in settings replaces the
default table below; the environment variable `SENSITIVE_TERMS_EXTRA` adds
comma-separated terms (category "other").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from .models import search_key

DEFAULT_TERMS: dict[str, tuple[str, ...]] = {
    "health": (
        "alcoolique",
        "alcoolisme",
        "cancer",
        "depression",
        "dépression",
        "diabete",
        "diabète",
        "enceinte",
        "grossesse",
        "handicap",
        "handicapé",
        "maladie",
        "malade",
        "problème cardiaque",
        "séropositif",
        "vih",
        "alcoholic",
        "disabled",
        "disease",
        "heart condition",
        "hiv",
        "illness",
        "pregnant",
        "sick",
    ),
    "religion": (
        "catholique",
        "musulman",
        "juif",
        "juive",
        "protestant",
        "bouddhiste",
        "religion",
        "ramadan",
        "catholic",
        "muslim",
        "jewish",
        "religious",
    ),
    "political": (
        "syndicat",
        "syndiqué",
        "syndicaliste",
        "parti politique",
        "militant",
        "gréviste",
        "trade union",
        "union member",
        "political party",
        "activist",
    ),
    "sexual": ("homosexuel", "homosexuelle", "gay", "lesbienne", "bisexuel", "transgenre", "lesbian", "transgender"),
    "ethnic": ("origine ethnique", "race", "racial", "ethnic origin"),
    "insult": (
        "abruti",
        "connard",
        "conne",
        "crétin",
        "débile",
        "idiot",
        "imbécile",
        "nul",
        "radin",
        "moron",
        "stupid",
        "jerk",
    ),
}


@dataclass(frozen=True)
class Flag:
    category: str
    term: str


@dataclass(frozen=True)
class _Patterns:
    any_term: re.Pattern[str]  # every term in one alternation: most texts hold none, and one search says so
    each: tuple[tuple[str, str, str, re.Pattern[str]], ...]  # (category, term, key, pattern) per term


def _whole_word(alternatives: str) -> str:
    return rf"(?<!\w)(?:{alternatives})(?!\w)"


@lru_cache(maxsize=4)
def _patterns(table: tuple[tuple[str, tuple[str, ...]], ...]) -> _Patterns:
    keyed = [(category, term, search_key(term)) for category, terms in table for term in terms]
    return _Patterns(
        any_term=re.compile(_whole_word("|".join(re.escape(key) for _category, _term, key in keyed))),
        each=tuple((category, term, key, re.compile(_whole_word(re.escape(key)))) for category, term, key in keyed),
    )


def _table() -> tuple[tuple[str, tuple[str, ...]], ...]:
    terms = dict(getattr(settings, "CRM_SENSITIVE_TERMS", DEFAULT_TERMS))
    extra = tuple(getattr(settings, "SENSITIVE_TERMS_EXTRA", ()))
    if extra:
        terms["other"] = (*terms.get("other", ()), *extra)
    return tuple((category, tuple(words)) for category, words in terms.items())


def sensitive_terms(text: str) -> list[Flag]:
    """The listed terms found in `text`, accents and case ignored, whole words only."""
    if not text:
        return []
    text_key = search_key(text)
    patterns = _patterns(_table())
    if not patterns.any_term.search(text_key):
        return []
    seen: dict[str, Flag] = {}
    for category, term, key, pattern in patterns.each:
        if key not in seen and pattern.search(text_key):
            seen[key] = Flag(category, term)
    return list(seen.values())
