"""API keys for machine clients: the scope registry, creation, revocation and lookup.

A key reads `crm_<prefix>_<secret>`: the 8-character prefix finds the row, the
secret (256 bits) makes it unguessable. Only a SHA-256 hash of the whole key is
stored; a slow password hash would add nothing against a random 256-bit secret
and would cost every API request. The plaintext leaves `api_key_create` once
and is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_event_record

from .models import ApiKey, ApiKeyStatus

KEY_MARK = "crm"
PREFIX_LENGTH = 8
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
SECRET_BYTES = 32  # token_urlsafe(32) -> 43 characters
MAX_EXPIRY_DAYS = 3650
NAME_MAX_LENGTH = ApiKey._meta.get_field("name").max_length


@dataclass(frozen=True)
class Scope:
    """What a key carrying this scope may do: the model permissions it stands for."""

    description: str | Promise
    permissions: tuple[str, ...] = ()


# The one list of scopes a key may carry. Later issues add theirs here
# (e.g. "consents:read"); a view opens itself to keys with `required_scopes`
# (access.permissions.HasScope) or through the model permissions below.
# A key is not a Sales user: its contact scopes reach every contact (crm.view_all_contacts), never the
# restricted ones (no crm.view_restricted_contact). Organisations travel with contacts.
SCOPES: dict[str, Scope] = {
    "contacts:read": Scope(
        _("Read contacts and organisations"), ("crm.view_contact", "crm.view_all_contacts", "crm.view_organisation")
    ),
    "contacts:write": Scope(
        _("Create, update and delete contacts and organisations"),
        (
            "crm.add_contact",
            "crm.change_contact",
            "crm.delete_contact",
            "crm.view_all_contacts",
            "crm.add_organisation",
            "crm.change_organisation",
            "crm.delete_organisation",
        ),
    ),
    "registry:read": Scope(
        _("Read the record of processing activities and the breach register"),
        ("registry.view_processingactivity", "registry.view_breach"),
    ),
    "consents:read": Scope(
        _("Ask “may I contact?” and read purposes and consent events"),
        ("consent.view_consentstate", "consent.view_consentevent", "consent.view_purpose"),
    ),
    "consents:write": Scope(
        _("Record consents, withdrawals and objections"), ("consent.add_consentevent", "consent.view_consentevent")
    ),
    "retention:read": Scope(
        _("Read retention policies, purge runs and legal holds"),
        ("retention.view_retentionpolicy", "retention.view_purgerun", "retention.view_legalhold"),
    ),
    "interactions:read": Scope(_("Read interactions and contacts' notes"), ("crm.view_interaction",)),
    "interactions:write": Scope(
        _("Record, update and delete interactions"),
        ("crm.add_interaction", "crm.change_interaction", "crm.delete_interaction"),
    ),
}


def scope_permissions(scopes: Iterable[str]) -> frozenset[str]:
    """The model permissions ("app_label.codename") granted by these scopes; unknown scopes grant nothing."""
    return frozenset(perm for name in scopes if name in SCOPES for perm in SCOPES[name].permissions)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def parse_key(raw_key: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    mark = f"{KEY_MARK}_"
    separator_at = len(mark) + PREFIX_LENGTH
    if not raw_key.startswith(mark) or len(raw_key) < separator_at + 1 + 32 or raw_key[separator_at] != "_":
        return None
    prefix = raw_key[len(mark) : separator_at]
    if any(char not in PREFIX_ALPHABET for char in prefix):
        return None
    return prefix


def _validate(*, name: str, scopes: list[str], expires_in_days: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [gettext("Give the key a name that says which client uses it.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [gettext("The name is at most %(limit)d characters long.") % {"limit": NAME_MAX_LENGTH}]
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        errors["scopes"] = [
            gettext("Unknown scope(s): %(unknown)s. Known scopes: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(SCOPES)}
        ]
    elif not scopes:
        errors["scopes"] = [gettext("Choose at least one scope.")]
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = [
            gettext("A key expires after 1 to %(limit)d days (or never).") % {"limit": MAX_EXPIRY_DAYS}
        ]
    if errors:
        raise ValidationError(errors)


def _new_prefix() -> str:
    while True:
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiKey.objects.filter(prefix=prefix).exists():
            return prefix


@transaction.atomic
def api_key_create(
    *,
    name: str,
    scopes: Iterable[str],
    expires_in_days: int | None = None,
    created_by: AbstractBaseUser | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored and cannot be shown again.

    Raises ValidationError (per field: name, scopes, expires_in_days) on bad input.
    """
    scopes = list(dict.fromkeys(scopes))  # keep the order given, drop repeats
    _validate(name=name, scopes=scopes, expires_in_days=expires_in_days)
    prefix = _new_prefix()
    plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    key = ApiKey.objects.create(
        name=name.strip(),
        prefix=prefix,
        hashed_key=hash_key(plaintext),
        scopes=scopes,
        expires_at=expires_at,
        created_by=created_by,
    )
    audit_event_record(
        action="api_key.created",
        obj=key,
        data={
            "name": key.name,
            "prefix": prefix,
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return key, plaintext


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, reason: str) -> ApiKey:
    """Revoke a key for good; revoking a revoked key changes nothing and records nothing."""
    if not reason.strip():
        raise ValidationError({"reason": [gettext("Say why the key is revoked.")]})
    key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_reason = reason.strip()[:255]
    key._change_reason = "revoked"
    key.save(update_fields=["revoked_at", "revoked_reason"])
    audit_event_record(action="api_key.revoked", obj=key, reason=key.revoked_reason, data={"prefix": key.prefix})
    return key


class KeyRejected(Exception):
    """The presented key cannot be used; the message says why and is safe to show the client."""


LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_authenticate(raw_key: str, *, at: datetime | None = None) -> ApiKey:
    """The active key matching `raw_key`, or KeyRejected.

    Touches `last_used_at` at most once a minute, with a plain UPDATE (no history row).
    """
    at = at or timezone.now()
    prefix = parse_key(raw_key)
    key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
    if key is None or not hmac.compare_digest(key.hashed_key, hash_key(raw_key)):
        raise KeyRejected(gettext("Invalid API key."))
    status = key.status_at(at)
    if status == ApiKeyStatus.REVOKED:
        raise KeyRejected(gettext("This API key has been revoked."))
    if status == ApiKeyStatus.EXPIRED:
        raise KeyRejected(gettext("This API key has expired."))
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=at)
        key.last_used_at = at
    return key
