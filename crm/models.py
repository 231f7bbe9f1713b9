from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.history import tracked
from core.subject_data import ON_ERASE_DELETE, Category, PersonalField, personal_data

from .querysets import ContactQuerySet


@personal_data(
    subject="",
    on_erase=ON_ERASE_DELETE,
    fields={
        "first_name": PersonalField(Category.IDENTITY, portable=True),
        "last_name": PersonalField(Category.IDENTITY, portable=True),
        "email": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "phone": PersonalField(Category.CONTACT_DETAILS, portable=True),
        "notes": PersonalField(Category.INTERACTION),
    },
)
class Contact(models.Model):
    """A person the organisation holds data about (the data subject)."""

    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["last_name", "first_name", "id"], name="contact_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return str(self)
