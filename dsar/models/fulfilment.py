"""What fulfilling a request leaves behind: response files, erasure runs and their proofs, decisions.

A response file (access report, portability export) holds the person's data,
encrypted; it goes with the person and is deleted after DSAR_REPORT_KEEP_DAYS.
An erasure proof holds no personal data at all (ids, dates, counts, operator):
it is what outlives an erasure (docs/erasure.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.models import AppendOnlyModel
from core.subject_data import ON_ERASE_ANONYMISE, ON_ERASE_DELETE, Category, PersonalField, personal_data, replace

from .requests import CASE_FILE_PURPOSE, Request


class ResponseKind(models.TextChoices):
    ACCESS_HTML = "access_html", _("Access report (HTML, printable)")
    ACCESS_JSON = "access_json", _("Access report (JSON)")
    PORTABILITY = "portability", _("Portability export (ZIP: JSON and CSV)")


@personal_data(
    subject="request__matches__contact",
    on_erase=ON_ERASE_DELETE,
    fields={"content": PersonalField(Category.REQUEST)},
    notes="A copy of the person's data made for them: deleted with them, or when it expires.",
)
class ResponseFile(models.Model):
    """A report made for the requester, encrypted at rest, downloaded through a signed, expiring link."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="response_files")
    kind = models.CharField(_("kind"), max_length=12, choices=ResponseKind.choices)
    filename = models.CharField(_("file name"), max_length=100)
    content_type = models.CharField(_("content type"), max_length=60)
    # The file's text (a zip: base64, prefixed "b64:"), encrypted (core.crypto): never on disk in clear.
    content = EncryptedTextField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("deleted after"), db_index=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    last_downloaded_at = models.DateTimeField(_("last downloaded at"), null=True, blank=True)

    history = tracked(excluded_fields=["content"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("response file")
        verbose_name_plural = _("response files")
        permissions = [
            ("fulfil_request", _("Can fulfil data-subject requests (access, portability, rectification, objection)")),
            ("erase_request", _("Can erase the contacts of an erasure request")),
        ]

    def __str__(self) -> str:
        return self.filename


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class ErasureRun(models.Model):
    """The erasure job of one request: which contacts, how far it got, who started it.

    Holds contact ids only (internal numbers, as the audit trail does). The job's
    state lives here, not in the broker: a rerun erases what is left.
    """

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="erasure_runs")
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    contact_ids = models.JSONField(_("contacts"), default=list)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    held = models.JSONField(_("kept under a legal hold"), default=list, blank=True)
    operator_label = models.CharField(_("started by"), max_length=150)
    answer_message_ref = models.PositiveBigIntegerField(_("answer sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    history = tracked()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure run")
        verbose_name_plural = _("erasure runs")

    def __str__(self) -> str:
        return f"erasure {self.pk} ({self.request_id})"

    @property
    def total(self) -> int:
        return len(self.contact_ids)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)


class ErasureProof(AppendOnlyModel):
    """Proof that one contact was erased for one request: no personal data, exactly one per contact and request."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="erasure_proofs")
    run = models.ForeignKey(ErasureRun, on_delete=models.PROTECT, related_name="proofs")
    request_reference = models.CharField(_("case reference"), max_length=20)
    contact_ref = models.BigIntegerField(_("contact id"))
    request_received_at = models.DateTimeField(_("request received at"))
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    counts = models.JSONField(_("rows per table"), default=dict)
    kept = models.JSONField(_("kept, and why"), default=dict, blank=True)
    operator_label = models.CharField(_("operator"), max_length=150)

    class Meta:
        ordering = ["erased_at", "id"]
        verbose_name = _("erasure proof")
        verbose_name_plural = _("erasure proofs")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "contact_ref"],
                name="dsar_erasure_proof_once",
                violation_error_message=_("This contact's erasure is already proven for this request."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_reference} · #{self.contact_ref}"


class ObjectionDecision(models.TextChoices):
    STOPPED = "stopped", _("Processing stopped")
    CONTINUED = "continued", _("Processing continues: compelling legitimate grounds (Art. 21(1))")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_ANONYMISE,
    legal_basis=CASE_FILE_PURPOSE,
    fields={
        "processing": PersonalField(Category.REQUEST, erase=replace("")),
        "grounds": PersonalField(Category.REQUEST, erase=replace("")),
    },
    notes="The decision stays in the case file; what the person objected to and staff's grounds go with them.",
)
class ObjectionOutcome(models.Model):
    """Staff's decision on an objection to processing other than direct marketing (Art. 21(1))."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="objection_outcomes")
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="objection_outcomes"
    )
    processing = EncryptedTextField(_("processing objected to"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ObjectionDecision.choices)
    grounds = EncryptedTextField(_("grounds"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    history = tracked(no_db_index=["contact"])

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("objection decision")
        verbose_name_plural = _("objection decisions")

    def __str__(self) -> str:
        return f"{self.request_id} · {self.get_decision_display()}"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_ANONYMISE,
    legal_basis=CASE_FILE_PURPOSE,
    fields={},
    notes="When a request's restriction was placed and lifted; erasure cuts the link to the contact.",
)
class RequestRestriction(models.Model):
    """An Art. 18 restriction placed for a request: the case file shows when it was placed and lifted."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="restrictions")
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="request_restrictions"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    history = tracked(no_db_index=["contact"])

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("restriction for a request")
        verbose_name_plural = _("restrictions for requests")

    def __str__(self) -> str:
        return f"{self.request_id} · {self.contact_id}"
