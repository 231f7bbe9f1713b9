"""Art. 19 by machine: a recipient that is another business tool registers a webhook endpoint.

For each Art. 19 task of that recipient, a signed JSON notice is posted to the
endpoint (`crm.services.webhooks`); every attempt is a `WebhookDelivery` row,
and a delivered notice (2xx) closes the task as sent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.subject_data import ON_ERASE_ANONYMISE, personal_data

from .recipients import RecipientNotification


class RecipientEndpoint(models.Model):
    """Where a recipient of contacts' data (as named in the disclosure log) receives Art. 19 notices.

    The URL and the shared secret are encrypted at rest; the secret is never shown again once saved.
    """

    recipient = models.CharField(
        _("recipient"),
        max_length=200,
        unique=True,
        help_text=_("The recipient's name exactly as in exports and Art. 19 tasks."),
    )
    url = EncryptedTextField(_("endpoint URL"))
    secret = EncryptedTextField(_("signing secret"))
    reference_system = models.CharField(
        _("the recipient's own ids"),
        max_length=40,
        blank=True,
        help_text=_("The external-id system under which contacts carry the recipient's own reference, if any."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked(excluded_fields=["secret"])

    class Meta:
        ordering = ["recipient"]
        verbose_name = _("recipient webhook")
        verbose_name_plural = _("recipient webhooks")

    def __str__(self) -> str:
        return self.recipient


class DeliveryOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed, no more attempts")


@personal_data(
    subject="notification__contact",
    on_erase=ON_ERASE_ANONYMISE,
    fields={},
    notes="Holds no data about the person (attempt number, status code, duration, error class); it stays with "
    "its Art. 19 task, which outlives an erasure.",
)
class WebhookDelivery(models.Model):
    """One attempt to post an Art. 19 notice: when, the answer's status code, how long, and the error if any."""

    notification = models.ForeignKey(
        RecipientNotification, verbose_name=_("Art. 19 task"), on_delete=models.CASCADE, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        RecipientEndpoint, verbose_name=_("webhook"), null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    notice_id = models.UUIDField(_("notice id"))
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=DeliveryOutcome.choices)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["notification", "attempt"], name="webhook_delivery_task_idx")]

    def __str__(self) -> str:
        return f"{self.notification_id} #{self.attempt} {self.status_code or self.error}"
