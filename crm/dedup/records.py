"""From stored values to the matcher's `Record`: one function for the database loader and the benchmark."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from crm.normalise import normalise_phone

from .normalise import canonical_email, given_name, plain, postcode, street_key, surname
from .scoring import Record


def record_from_values(
    *,
    pk: int,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    street: str = "",
    postal_code: str = "",
    city: str = "",
    organisation: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    restricted: bool = False,
    archived: bool = False,
) -> Record:
    return Record(
        id=pk,
        first=given_name(first_name),
        first_plain=plain(first_name).replace(" ", ""),
        last=surname(last_name),
        birth=birth_date,
        street=street_key(street),
        postcode=postcode(postal_code),
        city=plain(city),
        organisation=plain(organisation),
        emails=frozenset(canonical_email(e) for e in emails if e),
        phones=frozenset(_phone(p) for p in phones if p),
        restricted=restricted,
        archived=archived,
    )


def _phone(value: str) -> str:
    if value.startswith("+"):
        return value
    try:
        return normalise_phone(value)
    except Exception:  # noqa: BLE001 - a number that does not parse is compared as typed
        return value
