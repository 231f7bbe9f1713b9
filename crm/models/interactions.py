from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.subject_data import ON_ERASE_DELETE, Category, PersonalField, personal_data

from .contacts import Contact


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    EVENT = "event", _("Event")


@personal_data(
    subject="contact",
    on_erase=ON_ERASE_DELETE,
    fields={
        "kind": PersonalField(Category.INTERACTION),
        "occurred_at": PersonalField(Category.INTERACTION),
        "subject": PersonalField(Category.INTERACTION),
        "body": PersonalField(Category.INTERACTION),
    },
)
class Interaction(models.Model):
    """A call, email, meeting, note or event with a contact; the body is encrypted at rest."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("kind"), max_length=8, choices=InteractionKind.choices, default=InteractionKind.NOTE)
    occurred_at = models.DateTimeField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = EncryptedTextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="interaction_contact_idx"),
            # The API's default order over every interaction the caller may read.
            models.Index(fields=["-occurred_at", "-id"], name="interaction_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"
