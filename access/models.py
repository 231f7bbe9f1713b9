"""Access-control models: the area permissions, API keys, access reviews and sign-in locks.

They moved here from core without touching the database: each keeps its core_* table.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.models import AppendOnlyModel


class AreaAccess(models.Model):
    """Holds the permissions that open each area of the staff UI (no table)."""

    class Meta:
        managed = False
        db_table = "core_areaaccess"
        default_permissions = ()
        permissions = [
            ("access_contacts", _("Can open the contacts area")),
            ("access_consents", _("Can open the consents area")),
            ("access_requests", _("Can open the requests area")),
            ("access_registry", _("Can open the registry area")),
            ("access_retention", _("Can open the retention area")),
            ("access_dashboard", _("Can open the compliance dashboard")),
            ("access_outbox", _("Can read the outbox")),
            ("access_audit", _("Can read the audit trail")),
        ]

    def __str__(self) -> str:
        return "area access"


class ApiKeyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiKey(models.Model):
    """A machine client's key to the REST API (SEC-08: scoped, expiring, revocable).

    Only an 8-character prefix (to find the row) and a SHA-256 hash of the whole
    key are stored; the plaintext is shown once, when the key is created
    (access.apikeys). Keys are never deleted: a revoked key stays as evidence of
    who could reach the API and what its writes were attributed to.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    hashed_key = models.CharField(_("hashed key"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("revocation reason"), max_length=255, blank=True)
    # Touched at most once a minute by the authentication, with a plain UPDATE: no history row per request.
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    history = tracked(excluded_fields=["last_used_at"], table_name="core_historicalapikey")

    class Meta:
        db_table = "core_apikey"
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        default_permissions = ("add", "view")
        permissions = [("revoke_apikey", _("Can revoke API keys"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="apikey_revocation_has_reason",
                violation_error_message=_("A revoked key must say why it was revoked."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def status_at(self, moment: Any) -> ApiKeyStatus:
        if self.revoked_at is not None:
            return ApiKeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= moment:
            return ApiKeyStatus.EXPIRED
        return ApiKeyStatus.ACTIVE

    def has_scopes(self, scopes: Any) -> bool:
        return set(scopes) <= set(self.scopes)


class AccessReview(AppendOnlyModel):
    """A reviewer's sign-off of the access-review report (SEC-01): who may reach what, at that moment.

    The snapshot holds staff accounts (usernames, roles, effective capabilities) and API keys, never
    data subjects; the fingerprint is a hash of the snapshot, so two reviews of unchanged rights share it.
    Sign-offs are evidence: append-only, like AuditEvent (access.access_review.access_review_sign writes them).
    """

    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True, db_index=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept apart from the foreign key so the sign-off still names its reviewer if the account is deleted.
    signed_by_label = models.CharField(_("reviewer"), max_length=150)
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)

    class Meta:
        db_table = "core_accessreview"
        ordering = ["-signed_at", "-id"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"{self.signed_at:%Y-%m-%d %H:%M} by {self.signed_by_label}"


class LoginGuard(models.Model):
    """Recent failed sign-ins under one username, and the lock they led to (SEC-02).

    Failures count whether or not an account has the name, so the lock says nothing about who has an
    account. A row goes when its user signs in or an administrator unlocks it; a row of a name without
    a lock goes once its failures are older than a day (access.login_guard), so names typed by mistake
    are not kept.
    """

    username = models.CharField(_("username"), max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        db_table = "core_loginguard"
        ordering = ["-last_failure_at", "-id"]
        verbose_name = _("sign-in lock")
        verbose_name_plural = _("sign-in locks")
        default_permissions = ("view",)
        permissions = [("unlock_account", _("Can unlock a locked staff account"))]

    def __str__(self) -> str:
        return f"{self.username} ({self.failures})"
