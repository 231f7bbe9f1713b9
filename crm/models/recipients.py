from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked
from core.subject_data import ON_ERASE_ANONYMISE, Category, PersonalField, personal_data, replace

from .contacts import Contact


class NotificationCause(models.TextChoices):
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction")


class NotificationStatus(models.TextChoices):
    OPEN = "open", _("To do")
    SENT = "sent", _("Sent")
    IMPOSSIBLE = "impossible", _("Impossible")
    DISPROPORTIONATE = "disproportionate", _("Disproportionate effort")


# Closing a task without telling the recipient needs a written reason (Art. 19, DSR-13).
NEEDS_JUSTIFICATION = (NotificationStatus.IMPOSSIBLE, NotificationStatus.DISPROPORTIONATE)


# What an erased task's justification becomes: the constraint below needs a text, the person's is gone.
JUSTIFICATION_ERASED = "[erased with the contact]"


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_ANONYMISE,
    fields={"justification": PersonalField(Category.REQUEST, erase=replace(JUSTIFICATION_ERASED))},
    notes="Apart from the justification (staff's free text, erased), holds no data about the person: the "
    "recipient, the cause and the names of the fields concerned. It outlives an erasure (the link to the "
    "contact is cut) because the erasure itself must still be notified to the recipient.",
)
class RecipientNotification(models.Model):
    """An Art. 19 task: tell one recipient of a contact's data about a rectification, erasure or restriction.

    One task per recipient found in the disclosure log (CON-05, DSR-13). It is
    closed as sent, or as impossible or disproportionate with a justification.
    """

    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recipient_notifications",
        db_index=False,  # recipient_notification_contact_idx leads with it
    )
    # The contact's internal id, kept after an erasure cuts the link (as in the "subject.erased" audit event).
    contact_ref = models.BigIntegerField(_("contact id"))
    recipient = models.CharField(_("recipient"), max_length=200)
    country = models.CharField(_("recipient country"), max_length=2, blank=True)
    cause = models.CharField(_("cause"), max_length=13, choices=NotificationCause.choices)
    fields = models.JSONField(_("fields concerned"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.OPEN
    )
    justification = models.TextField(_("justification"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.CharField(_("resolved by"), max_length=150, blank=True)

    history = tracked(no_db_index=["contact"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recipient notification (Art. 19)")
        verbose_name_plural = _("recipient notifications (Art. 19)")
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="recipient_notif_contact_idx"),
            models.Index(
                fields=["created_at"],
                name="recipient_notif_open_idx",
                condition=models.Q(status="open"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", resolved_at__isnull=True)
                | (~models.Q(status="open") & models.Q(resolved_at__isnull=False)),
                name="recipient_notif_resolved_has_date",
                violation_error_message=_("A closed task records when it was closed."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=NEEDS_JUSTIFICATION) | ~models.Q(justification=""),
                name="recipient_notif_justified",
                violation_error_message=_("Say why the recipient cannot be told."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.get_cause_display()} · #{self.contact_ref}"

    @property
    def is_open(self) -> bool:
        return self.status == NotificationStatus.OPEN

    @property
    def justification_erased(self) -> bool:
        return self.justification == JUSTIFICATION_ERASED
