from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import deadlines
from core.history import tracked
from core.models import AppendOnlyModel
from core.subject_data import ON_ERASE_DELETE, personal_data

from ..choices import Art34Exemption, AuthorityDecision, NotificationPhase, RiskLevel


class Breach(models.Model):
    """One personal-data breach in the register (Art. 33(5)): every breach, notifiable or not.

    The 72-hour deadline (Art. 33(1)) runs from `aware_at` and is computed by
    `core.deadlines`. A notification after it needs `delay_reason`. Phases sent to
    the authority are `BreachNotification` rows; the contacts concerned are
    `BreachContact` rows, told through the outbox (Art. 34).
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    aware_at = models.DateTimeField(_("became aware at"))
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    nature = models.JSONField(_("nature"), default=list, blank=True)
    description = models.TextField(_("what happened"))
    data_categories = models.JSONField(_("categories of personal data"), default=list, blank=True)
    subjects_approx = models.PositiveIntegerField(_("approximate number of data subjects"), null=True, blank=True)
    records_approx = models.PositiveIntegerField(_("approximate number of records"), null=True, blank=True)
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures = models.TextField(_("measures taken or proposed"), blank=True)
    dpo_contact = models.CharField(_("DPO or other contact point"), max_length=300, blank=True)
    risk_level = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.RISK)
    authority_decision = models.CharField(
        _("notification to the authority"),
        max_length=12,
        choices=AuthorityDecision.choices,
        default=AuthorityDecision.PENDING,
    )
    not_notified_reason = models.TextField(_("why the authority is not notified"), blank=True)
    notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    delay_reason = models.TextField(_("reasons for the delay"), blank=True)
    subjects_informed_at = models.DateTimeField(_("data subjects informed at"), null=True, blank=True)
    subjects_communication = models.TextField(_("how the data subjects were informed"), blank=True)
    art34_exemption = models.CharField(
        _("Art. 34(3) ground for not informing them"), max_length=1, choices=Art34Exemption.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        ordering = ["-aware_at", "-id"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notified_at__isnull=True) | models.Q(notified_at__gte=models.F("aware_at")),
                name="breach_notified_after_awareness",
                violation_error_message=_("The authority cannot be notified before the breach was known."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def notification_deadline(self) -> datetime:
        return deadlines.art33_notification_due(self.aware_at)

    def time_left(self, now: datetime) -> timedelta:
        return deadlines.art33_time_left(self.aware_at, now)

    def awaits_notification(self) -> bool:
        return self.notified_at is None and self.authority_decision != AuthorityDecision.NOT_NOTIFY

    def is_late(self, now: datetime) -> bool:
        """Not notified (nor judged not notifiable) and past the 72 hours; or notified after them."""
        if self.notified_at is not None:
            return self.notified_at > self.notification_deadline
        return self.awaits_notification() and now > self.notification_deadline


class BreachNotification(AppendOnlyModel):
    """One phase of the notification to the supervisory authority (Art. 33(4)): initial, additional, final."""

    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="notifications")
    phase = models.CharField(_("phase"), max_length=12, choices=NotificationPhase.choices)
    sent_at = models.DateTimeField(_("sent at"))
    reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    content = models.TextField(_("what was sent"))
    recorded_by_label = models.CharField(_("recorded by"), max_length=150)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("notification to the authority")
        verbose_name_plural = _("notifications to the authority")
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.sent_at:%Y-%m-%d %H:%M}"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={},
    notes="Only the link: the breach keeps its approximate numbers after the contact is erased.",
)
class BreachContact(models.Model):
    """A contact concerned by a breach, and when it was told (Art. 34)."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="affected")
    contact = models.ForeignKey("crm.Contact", on_delete=models.CASCADE, related_name="breaches")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    informed_at = models.DateTimeField(_("informed at"), null=True, blank=True)
    message = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["breach", "contact"]
        verbose_name = _("contact concerned")
        verbose_name_plural = _("contacts concerned")
        constraints = [
            models.UniqueConstraint(
                fields=["breach", "contact"],
                name="breach_contact_once",
                violation_error_message=_("This contact is already linked to the breach."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.breach_id}:{self.contact_id}"
