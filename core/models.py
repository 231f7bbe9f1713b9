from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedTextField
from .history import tracked
from .subject_data import ON_ERASE_ANONYMISE, ON_ERASE_DELETE, Category, PersonalField, personal_data, replace


class AppendOnlyError(Exception):
    """Evidence is append-only: a correction is a new event (DESIGN.md invariant 1)."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model._meta.label} rows are never edited")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model._meta.label} rows are never deleted")


class AppendOnlyModel(models.Model):
    """A model whose rows are evidence: created once, never edited or deleted, one by one or in bulk."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.label} rows are never deleted")


class AuditEvent(AppendOnlyModel):
    """A domain event written by a service for each GDPR-relevant action.

    It holds no personal data of the subject beyond the contact's internal id,
    so it survives the subject's erasure as proof that things happened: what
    staff wrote about the person, and details such as a tag name, go to its
    `AuditDetail`, which the erasure deletes. `reason` is for events without a
    subject (an API key's revocation) and for the erasure's own legal ground.

    Events form a hash chain (core.audit_chain): `digest` covers the event's
    columns and the previous event's digest, never personal values, so an
    erasure never breaks it. On PostgreSQL a trigger refuses UPDATE, DELETE and
    TRUNCATE; only a checkpoint removes events past their retention.
    """

    # Set before the digest is computed (not auto_now_add, which Django would set again at save).
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_label = models.CharField(_("actor"), max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject_id = models.BigIntegerField(_("contact id"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    previous_digest = models.CharField(_("previous digest"), max_length=64, blank=True)
    digest = models.CharField(_("digest"), max_length=64, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_kind}:{self.actor_label}"


class AuditCheckpoint(AppendOnlyModel):
    """The chained record of one purge of audit events past their retention (core.audit_chain).

    It keeps the last purged event's id and digest, so the chain of what remains starts from it, and its own
    digest chains it to the previous checkpoint. On PostgreSQL the trigger lets audit events be deleted only
    when a checkpoint covers them, and refuses a checkpoint that would cover events younger than six months.
    """

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    cutoff = models.DateTimeField(_("events before"))
    last_event_id = models.BigIntegerField(_("last purged event"))
    last_event_digest = models.CharField(_("its digest"), max_length=64)
    events_purged = models.PositiveIntegerField(_("events purged"))
    previous_digest = models.CharField(_("previous digest"), max_length=64, blank=True)
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"checkpoint up to event {self.last_event_id}"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    # What staff wrote or recorded about the person, like the contact's notes.
    fields={
        "note": PersonalField(Category.INTERACTION),
        "details": PersonalField(Category.INTERACTION),
    },
    notes="The part of an audit event that is about the person; the event itself keeps ids, actions, "
    "counts and dates (docs/erasure.md).",
)
class AuditDetail(models.Model):
    """What an audit event says about its data subject, kept apart so that it goes with the person.

    Free text that staff write about a contact (the reason of a delete or a
    restriction, a notice note, a justification) and personal details (a tag
    name, the categories of a sensitive note) live here, tied to the contact:
    access reports show them and erasure deletes them. The `AuditEvent` they
    belong to stays, append-only, with ids, actions, counts and dates only.
    The note is encrypted at rest, like the notes it explains.
    """

    event = models.OneToOneField(AuditEvent, on_delete=models.CASCADE, related_name="detail")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="audit_details")
    note = EncryptedTextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event detail")
        verbose_name_plural = _("audit event details")

    def __str__(self) -> str:
        return f"detail of audit event {self.event_id}"


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_ANONYMISE,
    legal_basis="Art. 5(2) accountability: proof that the organisation wrote to the person, and when",
    fields={
        "recipient": PersonalField(Category.CONTACT_DETAILS, erase=replace("")),
        "subject": PersonalField(Category.INTERACTION, erase=replace("")),
        "body": PersonalField(Category.INTERACTION, erase=replace("")),
        # A transport's error may quote the address ("recipient refused: …").
        "last_error": PersonalField(Category.CONTACT_DETAILS, erase=replace("")),
    },
)
class OutboxMessage(models.Model):
    """Every message the organisation sends to a person, stored before it is sent.

    It is the proof of what the organisation told a person and when; the
    recipient, subject and body are encrypted at rest.
    """

    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    recipient = EncryptedTextField(_("recipient"))
    template = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=8, default="en")
    subject = EncryptedTextField(_("subject"))
    body = EncryptedTextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)

    history = tracked()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.template} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """One row per worker host, touched by a beat-scheduled task; /healthz reads it."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at:%H:%M:%S}"


class Figure(models.Model):
    """A dashboard figure computed by a job (core.figures): read instead of counting over large tables.

    Holds aggregates only (counts, per-month series, ids of a handful of rows), nothing about a person.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.JSONField(_("value"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    compute_ms = models.PositiveIntegerField(_("computation time (ms)"), default=0)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"


class EvidencePackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class EvidencePack(models.Model):
    """One evidence pack for the supervisory authority (SEC-11): a zip built by a job, section by section.

    The zip holds the organisation's registers and logs with ids, never a person's name or address.
    """

    status = models.CharField(
        _("status"), max_length=10, choices=EvidencePackStatus.choices, default=EvidencePackStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(_("requested by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    sections_done = models.PositiveSmallIntegerField(_("sections done"), default=0)
    sections_total = models.PositiveSmallIntegerField(_("sections"), default=0)
    current_section = models.CharField(_("current section"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="evidence/", blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    manifest = models.JSONField(_("contents"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")

    def __str__(self) -> str:
        return f"evidence pack {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == EvidencePackStatus.DONE:
            return 100
        return round(100 * self.sections_done / self.sections_total) if self.sections_total else 0


class StaffPreference(models.Model):
    """What a staff member chose for their own interface: the language it speaks.

    Read at each sign-in (core.language); it beats the browser's Accept-Language.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preference", verbose_name=_("user")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)

    history = tracked()

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"


class RestoreOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RestoreRecord(AppendOnlyModel):
    """One restore of a backup (SEC-06): when, how long, with what outcome, and what the ledger replay purged.

    Written after the restore, into the restored database. No personal data: a file name, dates, counts.
    """

    started_at = models.DateTimeField(_("started at"))
    duration_seconds = models.FloatField(_("duration (seconds)"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=RestoreOutcome.choices)
    backup_name = models.CharField(_("backup"), max_length=255)
    backup_taken_at = models.DateTimeField(_("backup taken at"), null=True, blank=True)
    replayed = models.JSONField(_("purged again from the ledger"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("restore")
        verbose_name_plural = _("restores")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
