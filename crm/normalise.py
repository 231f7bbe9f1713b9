"""Normalisation and the checks every entry path shares (forms, API and imports call the same functions).

Emails: trimmed, lower-cased, the domain IDNA-encoded (`élise@exämple.fr` and
`ELISE@xn--exmple-cua.fr` are the same address). Phones: E.164 with the
`phonenumbers` library, national numbers read in the default region.
Countries: ISO 3166-1 alpha-2 codes from `pycountry` (Debian's iso-codes list).
Birth dates: not in the future, not more than `OLDEST_AGE_YEARS` ago.
One-line text (names, job titles, addresses): no invisible or control characters
(`check_visible_text`); they are refused rather than stripped, see there why.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.deadlines import local_today

DEFAULT_PHONE_REGION = "FR"


def normalise_email(value: str) -> str:
    """Return the canonical form of an email address or raise ValidationError."""
    text = (value or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise ValidationError(_("Enter a valid email address."), code="invalid")
    try:
        ascii_domain = domain.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(_("The email domain is not a valid domain name."), code="invalid") from exc
    local = local.lower()
    # Django's validator knows ASCII local parts only; internationalised ones
    # (RFC 6531) are accepted when they hold no space, quote or control character.
    if len(local) > 64 or any(ch.isspace() or ch in '"@<>(),;:\\[]' or ord(ch) < 32 for ch in local):
        raise ValidationError(_("Enter a valid email address."), code="invalid")
    probe_local = local if local.isascii() else "x"
    validate_email(f"{probe_local}@{ascii_domain}")
    return f"{local}@{ascii_domain.lower()}"


def normalise_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the E.164 form of a phone number or raise ValidationError."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_country(value: str | None) -> str:
    """An ISO 3166 alpha-2 code as stored: trimmed and upper-cased ("fr " is "FR"); the models check the shape."""
    return (value or "").strip().upper()


# Officially assigned ISO 3166-1 alpha-2 codes only: user-assigned ones (ZZ, XK, AA, QM…) are refused.
COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def is_country_code(value: str) -> bool:
    """True for an officially assigned ISO 3166-1 alpha-2 code, upper case ("FR"; not "fr", "UK" or "ZZ")."""
    return value in COUNTRY_CODES


def check_country(value: str) -> None:
    """Refuse a country that is not an assigned ISO 3166-1 code (the models' `clean` calls this on the normalised
    value; imports call it too)."""
    if value and not is_country_code(value):
        raise ValidationError({"country": [_("Enter an ISO 3166-1 two-letter country code, e.g. FR or DE.")]})


# A birth date further back than this is a typing slip (1881 for 1981), not a person on file.
OLDEST_AGE_YEARS = 130


def check_birth_date(value: date | None, *, today: date | None = None) -> None:
    """Refuse a birth date in the future or more than OLDEST_AGE_YEARS years ago; None is no date."""
    if not isinstance(value, date):
        return  # no date, or one the field itself refused
    today = today or local_today()
    if value > today:
        raise ValidationError({"birth_date": [_("A birth date cannot be in the future.")]})
    if value < date(today.year - OLDEST_AGE_YEARS, 1, 1):
        raise ValidationError(
            {
                "birth_date": [
                    _("A birth date more than %(years)d years ago is not plausible.") % {"years": OLDEST_AGE_YEARS}
                ]
            }
        )


# Unicode categories never needed in a one-line name or address: controls (Cc: NUL, tab, new line, escape…),
# format characters (Cf: zero-width space, bidirectional overrides, soft hyphen, BOM…), surrogates (Cs),
# private use (Co), unassigned code points (Cn), and line and paragraph separators (Zl, Zp).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Zero-width (non-)joiners are part of correct spelling in Persian, Arabic and Indic scripts, between letters.
JOINERS = frozenset({"\u200c", "\u200d"})


def _is_joiner_between_letters(text: str, index: int) -> bool:
    if text[index] not in JOINERS or index == 0 or index == len(text) - 1:
        return False
    return all(unicodedata.category(text[near])[0] in "LM" for near in (index - 1, index + 1))


def invisible_characters(text: str) -> list[str]:
    """The invisible or control characters in `text`, each as "U+200B" (a joiner between two letters is allowed)."""
    return [
        f"U+{ord(char):04X}"
        for index, char in enumerate(text)
        if unicodedata.category(char) in INVISIBLE_CATEGORIES and not _is_joiner_between_letters(text, index)
    ]


def check_visible_text(values: Mapping[str, str | None]) -> None:
    """Refuse one-line text holding invisible or control characters, naming them; `values` is field -> text.

    They are refused, not stripped: a zero-width space or a direction override makes
    two names that look the same differ (duplicate detection, search and the person's
    access request then miss them), and silently editing what someone typed would
    store something else than was given (accuracy, Art. 5(1)(d)); the caller is told
    which code point to remove.
    """
    errors = {}
    for field, value in values.items():
        found = sorted(set(invisible_characters(value or "")))
        if found:
            message = _("Remove the invisible or control characters (%(chars)s).") % {"chars": ", ".join(found)}
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)


def check_entry(*, texts: Mapping[str, str | None], country: str = "", birth_date: date | None = None) -> None:
    """The rules above at once (one-line texts, country, birth date), every error merged into one ValidationError:
    what the models' `clean` run for forms and the API, and what an import can call on a row."""
    errors: dict[str, list[str]] = {}
    checks = (
        lambda: check_visible_text(texts),
        lambda: check_country(country),
        lambda: check_birth_date(birth_date),
    )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
