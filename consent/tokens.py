"""Signed links for the public pages: no login, no e-mail address in the URL (DESIGN invariant 8).

A token carries ids only, signed with the site's secret under a salt per use.
Preference and unsubscribe links do not expire (an unsubscribe link in an old
message must still work, CNS-04); a double opt-in link does
(`CONSENT_CONFIRMATION_MAX_AGE`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing

PREFERENCES = "consent.preferences"
UNSUBSCRIBE = "consent.unsubscribe"
CONFIRM = "consent.confirm"


class BadToken(Exception):
    """The link is forged, damaged or expired."""


def make(salt: str, **payload: Any) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


def read(salt: str, token: str, max_age: int | None = None) -> dict[str, Any]:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise BadToken(str(exc)) from exc


def preferences_token(contact_id: int) -> str:
    return make(PREFERENCES, c=contact_id)


def unsubscribe_token(contact_id: int, purpose_id: int | None) -> str:
    """`purpose_id` None: every marketing purpose (the link in the List-Unsubscribe header)."""
    return make(UNSUBSCRIBE, c=contact_id, p=purpose_id)


def confirm_token(event_id: int) -> str:
    return make(CONFIRM, e=event_id)


def confirm_read(token: str) -> dict[str, Any]:
    return read(CONFIRM, token, max_age=settings.CONSENT_CONFIRMATION_MAX_AGE)
