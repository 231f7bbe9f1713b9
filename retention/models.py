"""Retention: policies, prospect activity (RET-03), legal holds, purge runs and the purge ledger."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.subject_data import ON_ERASE_DELETE, Category, PersonalField, personal_data


class EndAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")


class StartEvent(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    LAST_INBOUND = "last_inbound", _("Last contact initiated by the person")
    RELATIONSHIP_END = "relationship_end", _("End of the relationship")
    STAFF_DELETE = "staff_delete", _("Deletion by staff")
    RECORD_DATE = "record_date", _("Date of the record")
    VERIFICATION = "verification", _("Verification")
    PROCESSING_END = "processing_end", _("End of the processing")


class Target(models.TextChoices):
    """Which contacts the purge engine selects for a policy; `none` policies are documented, not enforced here."""

    PROSPECTS = "prospects", _("Prospects")
    CUSTOMERS = "customers", _("Customers")
    DELETED_CONTACTS = "deleted_contacts", _("Contacts deleted by staff")
    CONSENT_PROOF = "consent_proof", _("Proof of ended consents")
    NONE = "none", _("Enforced elsewhere")


class RetentionPolicy(models.Model):
    """How long one category of data of one processing activity is kept, from which event, and what happens then.

    Every change to the rules raises `version`; a run approved for an older version
    no longer counts as approval (RET-06).
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    activity = models.ForeignKey(
        "registry.ProcessingActivity",
        verbose_name=_("processing activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_policies",
    )
    category = models.CharField(_("data category"), max_length=20, choices=Category.choices)
    target = models.CharField(_("applies to"), max_length=20, choices=Target.choices, default=Target.NONE)
    period_months = models.PositiveIntegerField(_("active period (months)"), default=0)
    period_days = models.PositiveIntegerField(_("active period (days)"), default=0)
    start_event = models.CharField(_("start event"), max_length=20, choices=StartEvent.choices)
    archive_months = models.PositiveIntegerField(
        _("intermediate archive (months)"), default=0, help_text=_("0: no intermediate archive.")
    )
    end_action = models.CharField(_("end action"), max_length=10, choices=EndAction.choices)
    legal_reference = models.TextField(_("legal reference"))
    repermission_days = models.PositiveIntegerField(
        _("re-permission request (days before the end)"),
        null=True,
        blank=True,
        help_text=_("Days before the end when the person is asked to renew their consent; empty: no request."),
    )
    enabled = models.BooleanField(_("enforced"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_version = models.PositiveIntegerField(_("approved version"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        ordering = ["key"]
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        permissions = [("approve_purgerun", _("Can approve purge runs (DPO)"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(target="prospects", period_months=0, period_days=0),
                name="retention_prospect_period_positive",
                violation_error_message=_("A prospect policy needs an active period."),
            ),
            models.UniqueConstraint(
                fields=["activity", "category"],
                condition=models.Q(activity__isnull=False),
                name="retention_policy_once_per_category",
                violation_error_message=_("This activity already has a policy for this data category."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    # Beyond these, a period is no retention rule but a typing error (and its dates would leave the calendar).
    LIMITS = {"period_months": 1200, "period_days": 36500, "archive_months": 1200, "repermission_days": 3650}

    def clean(self) -> None:
        errors = {
            name: _("At most %(limit)d.") % {"limit": limit}
            for name, limit in self.LIMITS.items()
            if (getattr(self, name) or 0) > limit
        }
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        """The name in the active language: the shipped names are in the catalogue, a DPO's own name stays as typed."""
        return gettext(self.name) if self.name else ""

    @property
    def needs_approval(self) -> bool:
        return self.approved_version != self.version

    @property
    def enforced(self) -> bool:
        return self.enabled and self.target != Target.NONE


class ActivityKind(models.TextChoices):
    FORM = "form", _("Form submission")
    REPLY = "reply", _("Inbound e-mail or reply")
    CLICK = "click", _("Link click")
    PURCHASE = "purchase", _("Purchase")
    LOGIN = "login", _("Login")
    INBOUND_CALL = "inbound_call", _("Inbound call")
    OUTBOUND_EMAIL = "outbound_email", _("Outbound e-mail")
    OPEN = "open", _("E-mail open")
    STAFF_EDIT = "staff_edit", _("Staff edit")


# RET-03: only these restart a prospect's clock; an outbound e-mail, an open or a staff edit never does.
INBOUND_KINDS = (
    ActivityKind.FORM,
    ActivityKind.REPLY,
    ActivityKind.CLICK,
    ActivityKind.PURCHASE,
    ActivityKind.LOGIN,
    ActivityKind.INBOUND_CALL,
)


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={"kind": PersonalField(Category.CONNECTION), "occurred_at": PersonalField(Category.CONNECTION)},
)
class ContactActivity(models.Model):
    """Something a contact did or that was done towards them, kept for the retention clock (RET-03)."""

    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="retention_activities")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    inbound = models.BooleanField(_("initiated by the person"), editable=False)
    occurred_at = models.DateTimeField(_("date"))

    history = tracked()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("contact activity")
        verbose_name_plural = _("contact activities")
        indexes = [
            models.Index(
                fields=["contact", "-occurred_at"], name="activity_inbound_idx", condition=models.Q(inbound=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        self.inbound = self.kind in INBOUND_KINDS
        super().save(*args, **kwargs)


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={"reason": PersonalField(Category.REQUEST), "ends_on": PersonalField(Category.REQUEST)},
    notes="An organisation's hold has no contact and no personal data.",
)
class LegalHold(models.Model):
    """Keeps a contact, or every contact of an organisation, out of purges and erasure until it ends or is lifted."""

    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="legal_holds",
    )
    organisation = models.ForeignKey(
        "crm.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="legal_holds",
    )
    reason = models.CharField(_("reason"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    ends_on = models.DateField(_("ends on"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=True, organisation__isnull=False)
                | models.Q(contact__isnull=False, organisation__isnull=True),
                name="legal_hold_one_target",
                violation_error_message=_("A legal hold is on one contact or one organisation."),
            )
        ]

    def __str__(self) -> str:
        return str(self.contact or self.organisation)


class RunStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class PurgeRun(models.Model):
    """One evaluation of a policy: its preview, then (once approved) its execution.

    Holds ids and counts only: the preview sample is a list of contact ids, shown
    while those contacts exist; nothing purged is ever copied here.
    """

    policy = models.ForeignKey(RetentionPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="runs")
    policy_version = models.PositiveIntegerField(_("policy version"))
    status = models.CharField(_("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.PREVIEW)
    cutoff = models.DateTimeField(_("clock started before"))
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    sample_ids = models.JSONField(_("sample"), default=list, blank=True)
    expected = models.PositiveIntegerField(_("expected"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    held = models.PositiveIntegerField(_("skipped (legal hold)"), default=0)
    counts = models.JSONField(_("counts per table"), default=dict, blank=True)
    last_contact_id = models.BigIntegerField(default=0, editable=False)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = tracked(excluded_fields=["processed", "counts", "last_contact_id"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"{self.policy.key} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return min(100, round(100 * self.processed / self.expected)) if self.expected else 0

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class LedgerAction(models.TextChoices):
    DELETED = "deleted", _("Deleted by a purge")
    ANONYMISED = "anonymised", _("Anonymised by a purge")
    ERASED = "erased", _("Erased (Art. 17 or staff delete)")


class PurgeLedgerEntry(models.Model):
    """Append-only: this contact id was purged or erased; replayed after a backup restore (RET-08).

    A plain integer, not a foreign key: the entry outlives the contact on purpose.
    """

    contact_id = models.BigIntegerField(_("contact id"))
    action = models.CharField(_("action"), max_length=12, choices=LedgerAction.choices)
    run = models.ForeignKey(PurgeRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("purge ledger entry")
        verbose_name_plural = _("purge ledger")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.action}"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={"archived_at": PersonalField(Category.CONNECTION), "purge_on": PersonalField(Category.CONNECTION)},
)
class ArchivedContact(models.Model):
    """A contact in intermediate archive (RET-05): out of every list, search, export and the API until purged.

    Only a role with `retention.open_archive` reads one, after giving a reason; each reading is an ArchiveAccess.
    """

    contact = models.OneToOneField(
        "crm.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="archive"
    )
    policy = models.ForeignKey(RetentionPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    archived_at = models.DateTimeField(_("archived at"))
    purge_on = models.DateField(_("purged on"), db_index=True)

    history = tracked()

    class Meta:
        ordering = ["purge_on", "id"]
        verbose_name = _("archived contact")
        verbose_name_plural = _("archived contacts")
        permissions = [("open_archive", _("Can open archived records, giving a reason"))]

    def __str__(self) -> str:
        return str(self.contact_id)


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={"reason": PersonalField(Category.INTERACTION), "opened_at": PersonalField(Category.CONNECTION)},
)
class ArchiveAccess(models.Model):
    """Who opened an archived record, when and why (RET-05)."""

    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="archive_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("archive access")
        verbose_name_plural = _("archive accesses")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.opened_at:%Y-%m-%d}"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={
        "sent_at": PersonalField(Category.CONNECTION),
        "expires_on": PersonalField(Category.CONNECTION),
        "answered_at": PersonalField(Category.CONSENT_PROOF),
    },
)
class RepermissionRequest(models.Model):
    """The one re-consent request sent to a contact before a policy's period ends (RET-04).

    A "yes" through its signed link records consent and an inbound activity, which
    restarts the clock; silence changes nothing, and the purge proceeds on `expires_on`.
    """

    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="repermission_requests")
    policy = models.ForeignKey(RetentionPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))
    expires_on = models.DateField(_("period ends on"))
    outbox_message_ref = models.PositiveBigIntegerField(_("message"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered yes at"), null=True, blank=True)

    history = tracked()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("re-permission request")
        verbose_name_plural = _("re-permission requests")
        indexes = [models.Index(fields=["contact", "policy", "sent_at"], name="repermission_contact_idx")]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.sent_at:%Y-%m-%d}"
