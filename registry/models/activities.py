from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.models import AppendOnlyModel
from core.subject_data import Category

from ..choices import (
    DPIA_CRITERIA_THRESHOLD,
    ActivityRole,
    ActivityStatus,
    Art9Condition,
    DpiaStatus,
    LegalBasis,
    RecipientKind,
    TransferMechanism,
    is_third_country,
)


def localized(obj: Any, field: str) -> str:
    """The French text of `field` (its `<field>_fr` twin) when French is active and it is filled, else the English."""
    if (translation.get_language() or "").startswith("fr"):
        french = getattr(obj, f"{field}_fr", "")
        if french:
            return french
    return getattr(obj, field)


class Recipient(models.Model):
    """Someone the data are disclosed to (Art. 30(1)(d)): an internal service, a processor, a partner.

    A processor carries its Art. 28 contract; a recipient outside the EEA carries
    the transfer mechanism (Arts. 44-49, SEC-10). Disclosures in the contact
    log match a recipient by name (case and surrounding blanks ignored).
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=RecipientKind.choices, default=RecipientKind.PROCESSOR)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. FR or US."))
    data_location = models.CharField(_("where the data are held"), max_length=200, blank=True)
    contract_reference = models.CharField(
        _("Art. 28 contract"),
        max_length=300,
        blank=True,
        help_text=_("A link to the signed contract or its reference."),
    )
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    transfer_mechanism = models.CharField(
        _("transfer safeguard"), max_length=20, choices=TransferMechanism.choices, blank=True
    )
    transfer_documentation = models.CharField(_("safeguard documentation"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        ordering = ["name"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="recipient_country_iso",
                violation_error_message=_("Give the country as its two-letter ISO 3166 code."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def third_country(self) -> bool:
        return is_third_country(self.country)

    @property
    def transfer_unsafeguarded(self) -> bool:
        return self.third_country and not self.transfer_mechanism


class ProcessingActivityQuerySet(models.QuerySet):
    def approved(self) -> ProcessingActivityQuerySet:
        """Activities in force: approved, even if their periodic review is due (they were not edited since)."""
        return self.filter(status=ActivityStatus.APPROVED, archived=False)

    def due_for_review(self, today: date) -> ProcessingActivityQuerySet:
        return self.filter(archived=False).filter(
            models.Q(status=ActivityStatus.REVIEW_DUE)
            | models.Q(status=ActivityStatus.APPROVED, next_review_at__lte=today)
        )


class ProcessingActivity(models.Model):
    """One entry (fiche) of the record of processing activities, with the CNIL model's headings.

    Business owners maintain it; the DPO approves it. Editing an approved entry
    sends it back for review. `data_fields` maps the fields of the subject-data
    map ("app.Model.field") this activity uses (CON-02).
    """

    # Description
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    role = models.CharField(_("capacity"), max_length=10, choices=ActivityRole.choices, default=ActivityRole.CONTROLLER)
    software = models.CharField(_("software used"), max_length=200, blank=True)
    business_owner = models.CharField(_("business owner"), max_length=200, blank=True)
    joint_controller = models.CharField(_("joint controller"), max_length=300, blank=True)
    processor_controllers = models.TextField(
        _("controllers served"),
        blank=True,
        help_text=_("Art. 30(2): each controller on whose behalf we process, with its contact and the processing."),
    )
    # Finalités
    main_purpose = models.TextField(_("main purpose"))
    main_purpose_fr = models.TextField(_("main purpose (French)"), blank=True)
    sub_purposes = models.TextField(_("sub-purposes"), blank=True, help_text=_("One per line."))
    sub_purposes_fr = models.TextField(_("sub-purposes (French)"), blank=True)
    legal_basis = models.CharField(_("legal basis (Art. 6)"), max_length=24, choices=LegalBasis.choices, blank=True)
    legal_basis_detail = models.TextField(
        _("legal basis explained"), blank=True, help_text=_("e.g. the legitimate interest pursued.")
    )
    legal_basis_detail_fr = models.TextField(_("legal basis explained (French)"), blank=True)
    # Personnes et données
    subject_categories = models.JSONField(_("categories of data subjects"), default=list, blank=True)
    subject_categories_other = models.CharField(_("other data subjects"), max_length=200, blank=True)
    data_fields = models.JSONField(_("fields used"), default=list, blank=True)
    # Kept by the services from the ActivityDataCategory rows, so that every version carries them.
    category_summary = models.JSONField(_("categories and retention periods"), default=list, blank=True)
    sensitive_data = models.JSONField(_("sensitive data"), default=list, blank=True)
    art9_condition = models.CharField(_("Art. 9(2) condition"), max_length=1, choices=Art9Condition.choices, blank=True)
    data_source = models.CharField(_("source of the data"), max_length=300, blank=True)
    data_source_fr = models.CharField(_("source of the data (French)"), max_length=300, blank=True)
    # Destinataires et transferts
    recipients = models.ManyToManyField(Recipient, verbose_name=_("recipients"), blank=True, related_name="activities")
    # Sécurité
    security_measures = models.JSONField(_("security measures"), default=list, blank=True)
    security_description = models.TextField(_("security measures described"), blank=True)
    # Analyse d'impact
    dpia_criteria = models.JSONField(_("DPIA criteria met"), default=list, blank=True)
    dpia_cnil_list = models.BooleanField(_("on the CNIL's list of processing requiring a DPIA"), default=False)
    dpia_status = models.CharField(
        _("DPIA status"), max_length=12, choices=DpiaStatus.choices, default=DpiaStatus.NOT_REQUIRED
    )
    dpia_reference = models.CharField(_("DPIA document"), max_length=300, blank=True)
    dpia_date = models.DateField(_("DPIA date"), null=True, blank=True)
    dpia_dpo_advice = models.TextField(_("DPO's advice on the DPIA"), blank=True)
    notice_url = models.CharField(_("information notice"), max_length=300, blank=True)
    # Revue
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    next_review_at = models.DateField(_("next review"), null=True, blank=True)
    # The last user who changed the content: the DPO does not approve their own edits (REG-06).
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked(m2m_fields=[recipients])
    objects = ProcessingActivityQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        permissions = [("approve_processingactivity", _("Can approve processing activities (DPO)"))]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_purpose(self) -> str:
        return localized(self, "main_purpose")

    def sub_purpose_list(self) -> list[str]:
        return [line.strip() for line in localized(self, "sub_purposes").splitlines() if line.strip()]

    @property
    def dpia_required(self) -> bool:
        """REG-07: two or more EDPB criteria, or a match on the CNIL's list."""
        return len(self.dpia_criteria) >= DPIA_CRITERIA_THRESHOLD or self.dpia_cnil_list

    @property
    def dpia_attached(self) -> bool:
        return bool(self.dpia_reference.strip() and self.dpia_date and self.dpia_dpo_advice.strip())

    def review_due_on(self, today: date) -> bool:
        if self.status == ActivityStatus.REVIEW_DUE:
            return True
        return (
            self.status == ActivityStatus.APPROVED and self.next_review_at is not None and self.next_review_at <= today
        )

    def display_status(self, today: date) -> str:
        if self.review_due_on(today):
            return str(ActivityStatus.REVIEW_DUE.label)
        return self.get_status_display()

    def third_country_recipients(self) -> list[Recipient]:
        return [recipient for recipient in self.recipients.all() if recipient.third_country]


class ActivityDataCategory(models.Model):
    """A category of personal data an activity processes, with its erasure limit (Art. 30(1)(c), (f); REG-02)."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="data_categories")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    retention = models.CharField(_("retention period"), max_length=300, blank=True)
    retention_fr = models.CharField(_("retention period (French)"), max_length=300, blank=True)

    history = tracked()

    class Meta:
        ordering = ["activity", "category"]
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "category"],
                name="activity_category_once",
                violation_error_message=_("Each category appears once per activity."),
            )
        ]

    def __str__(self) -> str:
        return self.get_category_display()

    @property
    def display_retention(self) -> str:
        return localized(self, "retention")


class ActivityComment(AppendOnlyModel):
    """A remark on an activity by its owner or the DPO; comments are never edited."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=150)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"{self.author_label} {self.created_at:%Y-%m-%d %H:%M}"


class ActivityApproval(AppendOnlyModel):
    """Who approved which version of an activity, when, with the checklist and the DPO's comments (REG-06)."""

    activity = models.ForeignKey(ProcessingActivity, on_delete=models.CASCADE, related_name="approvals")
    history_id = models.IntegerField(_("version"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_label = models.CharField(_("approved by"), max_length=150)
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    checklist = models.JSONField(_("checklist"), default=list)
    comment = models.TextField(_("comment"), blank=True)
    next_review_at = models.DateField(_("next review"))

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.approved_by_label} {self.approved_at:%Y-%m-%d %H:%M}"


__all__ = [
    "ActivityApproval",
    "ActivityComment",
    "ActivityDataCategory",
    "ProcessingActivity",
    "Recipient",
    "TransferMechanism",
    "localized",
]
