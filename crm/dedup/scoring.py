"""Pairwise scoring: one score, the sum of per-field contributions, each shown to the reviewer as a reason.

The weights are log-odds in the spirit of Fellegi-Sunter, set by hand and
checked on generated data with known duplicates (bench/bench_dedup.py). What a
CRM really holds decides them: people of one household share a surname, a
street, a postcode, often a landline and sometimes an e-mail, but not a first
name and a birth date; namesakes share a name and nothing else. So a differing
first name together with a differing birth date is strong negative evidence
(`household`) that no shared address, phone or e-mail can outweigh, and a name
alone never reaches the review threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

# Contribution labels: stable codes (the UI and the CSV translate or print them).
REVIEW_THRESHOLD = 6.0
AUTO_MERGE_THRESHOLD = 14.0


@dataclass(slots=True)
class Record:
    """One contact as the matcher sees it: normalised values only (see crm.dedup.normalise)."""

    id: int
    first: str = ""  # the given name, nicknames resolved
    last: str = ""
    first_plain: str = ""  # as typed, only plain (for typos in a name the nickname table rewrote)
    birth: date | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    organisation: str = ""
    emails: frozenset[str] = frozenset()  # canonical forms
    phones: frozenset[str] = frozenset()  # E.164 or their blind indexes: compared for equality only
    restricted: bool = False
    archived: bool = False
    external_ids: tuple[str, ...] = field(default=())


def _similar(a: str, b: str) -> float:
    return JaroWinkler.normalized_similarity(a, b) if a and b else 0.0


def _names(a: Record, b: Record) -> tuple[float, float, bool]:
    """(first-name similarity, surname similarity, swapped): first and last compared straight and crosswise."""
    straight = (_similar(a.first, b.first), _similar(a.last, b.last))
    crossed = (_similar(a.first, b.last), _similar(a.last, b.first))
    if sum(crossed) > sum(straight) + 0.2:
        # a.last is now compared with b.first, a.first with b.last
        return crossed[1], crossed[0], True
    return straight[0], straight[1], False


def _first_name(similarity: float, a: str, b: str, plain_a: str = "", plain_b: str = "") -> tuple[float, str]:
    if not a or not b:
        return 0.0, "first_name_missing"
    if similarity >= 0.999:
        return 3.0, "first_name_same"
    if similarity >= 0.9 or OSA.distance(a, b) <= 1 or (plain_a and plain_b and OSA.distance(plain_a, plain_b) <= 1):
        return 2.0, "first_name_close"
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return 1.0, "first_name_initial"
    if a.startswith(b) or b.startswith(a):  # "Jean" and "Jeanmarie"
        return 1.0, "first_name_part"
    return -5.0, "first_name_different"


def _last_name(similarity: float, a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "last_name_missing"
    if similarity >= 0.999:
        return 2.0, "last_name_same"
    if similarity >= 0.9 or OSA.distance(a, b) <= 1:
        return 1.5, "last_name_close"
    if a in b or b in a:  # a married name added: "Durand" and "Durandmartin"
        return 0.5, "last_name_part"
    return -3.0, "last_name_different"


def _birth(a: date | None, b: date | None) -> tuple[float, str]:
    if a is None or b is None:
        return 0.0, "birth_date_missing"
    if a == b:
        return 5.0, "birth_date_same"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 4.0, "birth_date_day_month_swapped"
    same_parts = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    if same_parts == 2 and (a.year == b.year or abs(a.year - b.year) in (1, 10)):
        return 1.0, "birth_date_one_part_differs"
    return -6.0, "birth_date_different"


def _emails(a: frozenset[str], b: frozenset[str]) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "email_missing"
    if a & b:
        return 5.0, "email_same"
    # Another address is no evidence either way (people hold several); one typo away at the same domain is.
    if any(_one_typo(x, y) for x in a for y in b):
        return 1.5, "email_close"
    return 0.0, "email_different"


def _one_typo(x: str, y: str) -> bool:
    (local_x, _at, domain_x), (local_y, _at2, domain_y) = x.partition("@"), y.partition("@")
    return domain_x == domain_y and OSA.distance(local_x, local_y) <= 1


def _phones(a: frozenset[str], b: frozenset[str]) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "phone_missing"
    if a & b:
        return 2.5, "phone_same"
    return -0.5, "phone_different"


def _address(a: Record, b: Record) -> tuple[float, str]:
    if not (a.postcode or a.street) or not (b.postcode or b.street):
        return 0.0, "address_missing"
    same_postcode = bool(a.postcode) and a.postcode == b.postcode
    street = token_set_ratio(a.street, b.street) / 100 if a.street and b.street else 0.0
    if same_postcode and street >= 0.85:
        return 2.0, "address_same"
    if same_postcode:
        return 0.5, "postcode_same"
    return -0.5, "address_different"  # people move: weak evidence only


def _organisation(a: str, b: str) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "organisation_missing"
    if token_set_ratio(a, b) >= 90:
        return 1.0, "organisation_same"
    return -0.5, "organisation_different"


@dataclass(slots=True)
class Score:
    total: float
    reasons: list[tuple[str, float]]  # (code, contribution), the non-zero ones, strongest first

    @property
    def reasons_text(self) -> str:
        return "; ".join(f"{code} {value:+g}" for code, value in self.reasons)


def score_pair(a: Record, b: Record) -> Score:
    """How likely `a` and `b` are one person: the sum of the fields' contributions, with the reasons."""
    first_sim, last_sim, swapped = _names(a, b)
    first_a, last_a = (a.last, a.first) if swapped else (a.first, a.last)
    plain_a = "" if swapped else a.first_plain
    parts = [
        _first_name(first_sim, first_a, b.first, plain_a, b.first_plain),
        _last_name(last_sim, last_a, b.last),
        _birth(a.birth, b.birth),
        _emails(a.emails, b.emails),
        _phones(a.phones, b.phones),
        _address(a, b),
        _organisation(a.organisation, b.organisation),
    ]
    if swapped:
        parts.append((0.0, "names_swapped"))
    codes = {code: value for value, code in parts}
    # A household member or a namesake: another first name or another birth date. Shared contact details
    # (a family e-mail, a landline, the street) are what such people have in common, so they count for nothing;
    # both differing is strong evidence of another person. A twin (same birth date) is told by the first name.
    first_differs = codes.get("first_name_different") and not codes.get("birth_date_same")
    if first_differs or codes.get("birth_date_different"):
        shared = sum(v for c, v in codes.items() if c in ("email_same", "email_close", "phone_same", "address_same"))
        both = codes.get("first_name_different") and codes.get("birth_date_different")
        penalty = shared + (4.0 if both else 0.0)
        if penalty:
            parts.append((-penalty, "household"))
    reasons = sorted(((code, value) for value, code in parts if value), key=lambda item: -abs(item[1]))
    return Score(total=round(sum(value for value, _code in parts), 2), reasons=reasons)
