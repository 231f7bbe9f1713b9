"""The periodic access review (SEC-01): who may reach what, and the reviewers' sign-offs.

`access_report()` reads every user account with its roles (groups) and what those
roles actually open: the staff areas (access.access_*) and a few sensitive
capabilities, plus any permission granted to the account directly, outside a
role; then every API key with its scopes. Effective rights follow Django's
ModelBackend (the only authentication backend): an inactive account has none,
an active superuser has them all.

`access_review_sign()` records that a reviewer went through the report: an
append-only AccessReview row holding a snapshot of the rights at that moment
and an audit event. The snapshot is staff data (usernames, roles, capabilities)
and API keys, never data subjects; it leaves out last logins, which change
without any change of rights, so that its fingerprint changes only when rights do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.actors import Actor
from core.audit import audit_event_record
from core.navigation import AREAS as NAVIGATION_AREAS
from core.spreadsheet import spreadsheet_safe

from .models import AccessReview, ApiKey, ApiKeyStatus
from .roles import ALL_AREAS

COMMENT_MAX_LENGTH = 2000

# Short names of the areas each access.access_* permission opens (the audit trail has no menu entry).
AREAS: dict[str, str | Promise] = {
    **{area.permission: area.label for area in NAVIGATION_AREAS},
    "access.access_audit": _("Audit trail"),
}
# Rights that reach personal data in bulk or beyond one's own contacts: each gets its own column.
CAPABILITIES: dict[str, str | Promise] = {
    "crm.view_all_contacts": _("Every contact"),
    "crm.view_restricted_contact": _("Restricted contacts"),
    "crm.restrict_contact": _("Place and lift restrictions"),
    "crm.view_interaction": _("Interactions and notes"),
    "crm.export_contact": _("Export contacts"),
    "crm.import_contact": _("Import contacts"),
    "access.add_apikey": _("Create API keys"),
}
WATCHED = frozenset(ALL_AREAS) | frozenset(CAPABILITIES)


@dataclass(frozen=True)
class AccountRow:
    username: str
    full_name: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    last_login: datetime | None
    date_joined: datetime
    roles: tuple[str, ...]
    areas: tuple[str, ...]  # effective access.access_* permissions, in ALL_AREAS order
    capabilities: tuple[str, ...]  # effective CAPABILITIES, in their order
    direct_permissions: tuple[str, ...]  # granted to the account itself, outside any role

    @property
    def has_access(self) -> bool:
        return bool(self.areas or self.capabilities)

    def snapshot(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "active": self.is_active,
            "staff": self.is_staff,
            "superuser": self.is_superuser,
            "roles": list(self.roles),
            "areas": list(self.areas),
            "capabilities": list(self.capabilities),
            "direct_permissions": list(self.direct_permissions),
        }


@dataclass(frozen=True)
class ApiKeyRow:
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    status: ApiKeyStatus

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "prefix": self.prefix,
            "scopes": list(self.scopes),
            "expires_at": _iso(self.expires_at),
            "revoked_at": _iso(self.revoked_at),
        }


@dataclass(frozen=True)
class AccessReport:
    generated_at: datetime
    accounts: tuple[AccountRow, ...]
    api_keys: tuple[ApiKeyRow, ...]

    def snapshot(self) -> dict[str, Any]:
        return {
            "accounts": [account.snapshot() for account in self.accounts],
            "api_keys": [key.snapshot() for key in self.api_keys],
        }

    def fingerprint(self) -> str:
        """SHA-256 of the snapshot: equal for two reports exactly when nobody's rights differ."""
        return snapshot_fingerprint(self.snapshot())


@dataclass(frozen=True)
class ReviewStatus:
    last: AccessReview | None
    interval_days: int
    now: datetime

    @property
    def days_since(self) -> int | None:
        return None if self.last is None else (self.now - self.last.signed_at).days

    @property
    def due_at(self) -> datetime | None:
        return None if self.last is None else self.last.signed_at + timedelta(days=self.interval_days)

    @property
    def overdue(self) -> bool:
        """Never signed off, or the last sign-off is older than the interval."""
        return self.last is None or self.now >= self.due_at


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _label(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


# Every access.* permission was named core.* until its model moved from core to access (access 0001): the
# fingerprint hashes them under their former names, so a review signed before the move still matches a report
# of the same rights after it; the snapshot itself carries the current names.
_PERMISSION_LISTS = ("areas", "capabilities", "direct_permissions")


def _former_names(account: dict[str, Any]) -> dict[str, Any]:
    def former(names: list[str]) -> list[str]:
        return [f"core.{name.removeprefix('access.')}" if name.startswith("access.") else name for name in names]

    return {key: former(value) if key in _PERMISSION_LISTS else value for key, value in account.items()}


def snapshot_fingerprint(snapshot: dict[str, Any]) -> str:
    hashed = {**snapshot, "accounts": [_former_names(account) for account in snapshot.get("accounts", [])]}
    return hashlib.sha256(json.dumps(hashed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _accounts() -> Iterable[AbstractBaseUser]:
    permissions = Permission.objects.select_related("content_type")
    groups = Group.objects.order_by("name").prefetch_related(Prefetch("permissions", queryset=permissions))
    return (
        get_user_model()
        .objects.order_by("username")
        .prefetch_related(Prefetch("groups", queryset=groups), Prefetch("user_permissions", queryset=permissions))
    )


def _account_row(user: Any) -> AccountRow:
    roles = list(user.groups.all())
    direct = {_label(perm) for perm in user.user_permissions.all()}
    if not user.is_active:
        effective: set[str] = set()
    elif user.is_superuser:
        effective = set(WATCHED)
    else:
        effective = direct | {_label(perm) for group in roles for perm in group.permissions.all()}
    return AccountRow(
        username=user.get_username(),
        full_name=user.get_full_name(),
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        last_login=user.last_login,
        date_joined=user.date_joined,
        roles=tuple(group.name for group in roles),
        areas=tuple(area for area in ALL_AREAS if area in effective),
        capabilities=tuple(capability for capability in CAPABILITIES if capability in effective),
        direct_permissions=tuple(sorted(direct)),
    )


def _api_key_rows(now: datetime) -> tuple[ApiKeyRow, ...]:
    keys = ApiKey.objects.select_related("created_by").order_by("created_at", "id")
    return tuple(
        ApiKeyRow(
            name=key.name,
            prefix=key.prefix,
            scopes=tuple(key.scopes),
            created_at=key.created_at,
            created_by=key.created_by.get_username() if key.created_by else "",
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            status=key.status_at(now),
        )
        for key in keys
    )


def access_report(*, now: datetime | None = None) -> AccessReport:
    """Every user account with its roles and effective rights, and every API key (five queries in all)."""
    now = now or timezone.now()
    return AccessReport(
        generated_at=now,
        accounts=tuple(_account_row(user) for user in _accounts()),
        api_keys=_api_key_rows(now),
    )


def access_reviews() -> Any:
    """The past sign-offs, newest first."""
    return AccessReview.objects.all()


def review_interval_days() -> int:
    return settings.ACCESS_REVIEW_INTERVAL_DAYS


def access_review_status(*, now: datetime | None = None) -> ReviewStatus:
    return ReviewStatus(last=access_reviews().first(), interval_days=review_interval_days(), now=now or timezone.now())


# CSV ------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _t("yes") if value else _t("no")
    if isinstance(value, datetime):
        return value.isoformat()
    return spreadsheet_safe(str(value))


def _join(values: Iterable[Any]) -> str:
    return "; ".join(str(value) for value in values)


def access_report_rows(report: AccessReport) -> Iterator[list[str]]:
    """The report as CSV rows: a title block, the accounts table, a blank row, the API keys table."""
    yield [_t("Access review report"), _cell(report.generated_at)]
    yield [_t("Fingerprint"), report.fingerprint()]
    yield []
    yield [_t("Accounts")]
    yield [
        _t("Username"),
        _t("Full name"),
        _t("Active"),
        _t("Staff"),
        _t("Superuser"),
        _t("Last login"),
        _t("Date joined"),
        _t("Roles"),
        _t("Areas"),
        *(f"{label} ({code})" for code, label in CAPABILITIES.items()),
        _t("Direct permissions"),
    ]
    for account in report.accounts:
        yield [
            _cell(account.username),
            _cell(account.full_name),
            _cell(account.is_active),
            _cell(account.is_staff),
            _cell(account.is_superuser),
            _cell(account.last_login),
            _cell(account.date_joined),
            _cell(_join(account.roles)),
            _cell(_join(AREAS[area] for area in account.areas)),
            *(_cell(code in account.capabilities) for code in CAPABILITIES),
            _cell(_join(account.direct_permissions)),
        ]
    yield []
    yield [_t("API keys")]
    yield [
        _t("Name"),
        _t("Prefix"),
        _t("Scopes"),
        _t("Created"),
        _t("Created by"),
        _t("Expires"),
        _t("Revoked"),
        _t("Status"),
    ]
    for key in report.api_keys:
        yield [
            _cell(key.name),
            _cell(key.prefix),
            _cell(_join(key.scopes)),
            _cell(key.created_at),
            _cell(key.created_by),
            _cell(key.expires_at),
            _cell(key.revoked_at),
            _cell(key.status.label),
        ]


def access_report_write_csv(report: AccessReport, stream: IO[str]) -> None:
    writer = csv.writer(stream)
    writer.writerows(access_report_rows(report))


# Services -------------------------------------------------------------------------------------


def access_report_exported(*, report: AccessReport, actor: Actor | None = None) -> None:
    """Record that the report (staff data) left the application, as the CSV download or the command."""
    with transaction.atomic():
        audit_event_record(
            action="access_review.exported",
            actor=actor,
            data={
                "accounts": len(report.accounts),
                "api_keys": len(report.api_keys),
                "fingerprint": report.fingerprint(),
            },
        )


@transaction.atomic(durable=True)
def access_review_sign(*, reviewer: Any, comment: str, fingerprint: str | None = None) -> AccessReview:
    """The reviewer signs off the current report: an append-only row with its snapshot, and an audit event.

    `fingerprint`, when given, is that of the report the reviewer read; if rights changed since, nothing
    is signed (ValidationError), so nobody signs off a report they have not seen.
    Raises PermissionDenied when the reviewer lacks access.add_accessreview.
    """
    if not reviewer.has_perm("access.add_accessreview"):
        raise PermissionDenied(_t("You may not sign off the access review."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": [_t("The comment is at most %(limit)d characters long.") % {"limit": COMMENT_MAX_LENGTH}]}
        )
    report = access_report()
    current = report.fingerprint()
    if fingerprint is not None and fingerprint != current:
        raise ValidationError(
            _t("Access rights changed since you opened the report: read it again before signing it off."),
            code="stale",
        )
    review = AccessReview.objects.create(
        signed_by=reviewer,
        signed_by_label=reviewer.get_username()[:150],
        comment=comment,
        snapshot=report.snapshot(),
        fingerprint=current,
    )
    audit_event_record(
        action="access_review.signed",
        obj=review,
        actor=Actor.for_user(reviewer),
        data={"accounts": len(report.accounts), "api_keys": len(report.api_keys), "fingerprint": current},
    )
    return review


def access_review_evidence(pack: Any) -> dict[str, bytes]:
    """The evidence pack's users x roles access review (SEC-01), as the access-review page exports it."""
    stream = io.StringIO()
    access_report_write_csv(access_report(), stream)
    return {"access-review/users-and-roles.csv": stream.getvalue().encode()}
