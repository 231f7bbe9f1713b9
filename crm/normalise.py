"""Normalisation of contact points, so that one address has one blind index.

Emails: trimmed, lower-cased, the domain IDNA-encoded (`élise@exämple.fr` and
`ELISE@xn--exmple-cua.fr` are the same address). Phones: E.164 with the
`phonenumbers` library, national numbers read in the default region.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

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


def check_country(value: str) -> None:
    """Refuse a country that is not two letters (the models' `clean` calls this on the normalised value)."""
    if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise ValidationError({"country": [_("Enter a two-letter ISO 3166 country code, e.g. FR.")]})
