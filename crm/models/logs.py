from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.subject_data import ON_ERASE_DELETE, personal_data

from .contacts import Contact


class AccessChannel(models.TextChoices):
    PAGE = "page", _("Contact page")
    API = "api", _("API")
    EXPORT = "export", _("Export")


@personal_data(subject="contact", on_erase=ON_ERASE_DELETE, fields={})
class ContactAccess(models.Model):
    """Who displayed a contact's full record, when and through which channel (SEC-, Art. 32).

    Holds nothing about the subject beyond the contact's id.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="accesses", db_index=False)
    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True)
    channel = models.CharField(_("channel"), max_length=6, choices=AccessChannel.choices)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_label = models.CharField(_("actor"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("record access")
        verbose_name_plural = _("record accesses")
        indexes = [models.Index(fields=["contact", "-accessed_at"], name="contact_access_idx")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.channel} {self.accessed_at:%Y-%m-%d %H:%M}"


class Disclosure(models.Model):
    """An export, API push or sync of contacts to a recipient (CON-06, Art. 19 reads it)."""

    # An export that stays inside the organisation names its recipient "internal: <who exported>" (crm/exports.py).
    INTERNAL_PREFIX = "internal:"

    disclosed_at = models.DateTimeField(_("disclosed at"), auto_now_add=True, db_index=True)
    recipient = models.CharField(_("recipient"), max_length=200)
    country = models.CharField(_("recipient country"), max_length=2, blank=True)
    channel = models.CharField(_("channel"), max_length=20)
    fields = models.JSONField(_("fields disclosed"), default=list)
    contact_count = models.PositiveIntegerField(_("contacts"), default=0)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_label = models.CharField(_("actor"), max_length=150)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.recipient} ({self.contact_count}) {self.disclosed_at:%Y-%m-%d}"

    @classmethod
    def is_internal(cls, recipient: str) -> bool:
        """The controller's own staff: logged as a disclosure, but no recipient to notify under Art. 19."""
        return recipient.startswith(cls.INTERNAL_PREFIX)


@personal_data(subject="contact", on_erase=ON_ERASE_DELETE, fields={})
class DisclosedContact(models.Model):
    """Which contacts a disclosure carried; deleted with the contact once Art. 19 notices are sent."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="entries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="disclosures", db_index=False)

    class Meta:
        verbose_name = _("disclosed contact")
        indexes = [models.Index(fields=["contact", "disclosure"], name="disclosed_contact_idx")]

    def __str__(self) -> str:
        return f"{self.disclosure_id}:{self.contact_id}"
