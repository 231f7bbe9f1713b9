from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import tracked

DEFAULT_REVIEW_MONTHS = 12


class OrganisationProfile(models.Model):
    """The register's header (Art. 30(1)(a), CNIL model page 2): one row, edited by the DPO.

    Who the controller is, its representative in the EU when it is established
    outside, joint controllers, the DPO, the supervisory authority people may
    complain to, and how often approved activities are reviewed.
    """

    controller_name = models.CharField(_("controller"), max_length=200)
    controller_head = models.CharField(_("head of the organisation"), max_length=200, blank=True)
    controller_address = models.TextField(_("address"), blank=True)
    controller_phone = models.CharField(_("phone"), max_length=40, blank=True)
    controller_email = models.EmailField(_("contact e-mail"), blank=True)
    joint_controllers = models.TextField(
        _("joint controllers"), blank=True, help_text=_("Name and contact details of each, one per line.")
    )
    representative = models.TextField(
        _("EU representative"), blank=True, help_text=_("Only for a controller established outside the EU.")
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_company = models.CharField(_("DPO's company"), max_length=200, blank=True, help_text=_("For an external DPO."))
    dpo_address = models.TextField(_("DPO's address"), blank=True)
    dpo_phone = models.CharField(_("DPO's phone"), max_length=40, blank=True)
    dpo_email = models.EmailField(_("DPO's e-mail"), blank=True)
    authority_name = models.CharField(
        _("supervisory authority"),
        max_length=200,
        default="CNIL (Commission nationale de l'informatique et des libertés)",
    )
    authority_url = models.URLField(_("supervisory authority's website"), default="https://www.cnil.fr/en/plaintes")
    rights_contact = models.CharField(
        _("where people exercise their rights"),
        max_length=200,
        blank=True,
        help_text=_("An address or a page; the DPO's e-mail is used when empty."),
    )
    review_period_months = models.PositiveSmallIntegerField(
        _("review period (months)"),
        default=DEFAULT_REVIEW_MONTHS,
        validators=[MinValueValidator(1)],
        help_text=_("An approved activity falls due for review this many months after its approval."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("organisation profile")
        verbose_name_plural = _("organisation profile")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_period_months__gte=1),
                name="profile_review_period_positive",
                violation_error_message=_("The review period is at least one month."),
            )
        ]

    def __str__(self) -> str:
        return self.controller_name

    @property
    def controller_contact_complete(self) -> bool:
        """REG-01: the register cannot be exported without a way to reach the controller."""
        return bool(self.controller_name.strip() and (self.controller_email or self.controller_address.strip()))

    @property
    def dpo_contact(self) -> str:
        parts = [self.dpo_name, self.dpo_company, self.dpo_email, self.dpo_phone]
        return ", ".join(part for part in parts if part)
