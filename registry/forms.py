"""Staff forms of the registry. They collect input; the services validate the workflow and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.subject_data import Category

from .choices import (
    BreachNature,
    DpiaCriterion,
    NotificationPhase,
    ReviewItem,
    SecurityMeasure,
    SensitiveData,
    SubjectCategory,
)
from .coverage import field_label, personal_fields
from .models import Breach, OrganisationProfile, ProcessingActivity, Recipient
from .services import CategoryInput

CHECKBOXES = {"class": "form-check-input"}


def _checkboxes(label: Any, choices: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )


def field_choices() -> list[tuple[str, str]]:
    return [
        (key, f"{field_label(key)} ({Category(category).label})") for key, category in sorted(personal_fields().items())
    ]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.ModelForm):
    """An entry of the register; each data category gets a tick, a description and its retention period."""

    subject_categories = _checkboxes(_("Categories of data subjects"), SubjectCategory.choices)
    sensitive_data = _checkboxes(_("Sensitive data"), SensitiveData.choices, _("Leave empty when there are none."))
    security_measures = _checkboxes(_("Security measures"), SecurityMeasure.choices)
    dpia_criteria = _checkboxes(
        _("DPIA screening: EDPB criteria met"), DpiaCriterion.choices, _("Two or more call for a DPIA.")
    )
    data_fields = _checkboxes(
        _("Fields used"), [], _("The personal fields of the CRM this activity needs (the register lists them).")
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=Recipient.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "reference",
            "name",
            "name_fr",
            "role",
            "business_owner",
            "software",
            "joint_controller",
            "processor_controllers",
            "main_purpose",
            "main_purpose_fr",
            "sub_purposes",
            "sub_purposes_fr",
            "legal_basis",
            "legal_basis_detail",
            "legal_basis_detail_fr",
            "subject_categories",
            "subject_categories_other",
            "data_fields",
            "sensitive_data",
            "art9_condition",
            "data_source",
            "data_source_fr",
            "recipients",
            "security_measures",
            "security_description",
            "dpia_criteria",
            "dpia_cnil_list",
            "dpia_status",
            "dpia_reference",
            "dpia_date",
            "dpia_dpo_advice",
            "notice_url",
        ]
        widgets = {
            "main_purpose": forms.Textarea(attrs={"rows": 2}),
            "main_purpose_fr": forms.Textarea(attrs={"rows": 2}),
            "sub_purposes": forms.Textarea(attrs={"rows": 3}),
            "sub_purposes_fr": forms.Textarea(attrs={"rows": 3}),
            "legal_basis_detail": forms.Textarea(attrs={"rows": 2}),
            "legal_basis_detail_fr": forms.Textarea(attrs={"rows": 2}),
            "processor_controllers": forms.Textarea(attrs={"rows": 2}),
            "security_description": forms.Textarea(attrs={"rows": 3}),
            "dpia_dpo_advice": forms.Textarea(attrs={"rows": 2}),
            "dpia_date": DATE_INPUT,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False
        self.fields["reference"].help_text = _("Left empty, the next number is given.")
        self.fields["data_fields"].choices = field_choices()
        existing = {row.category: row for row in self.instance.data_categories.all()} if self.instance.pk else {}
        self.category_rows = []
        for value, label in Category.choices:
            row = existing.get(value)
            prefix = f"category_{value}"
            self.fields[prefix] = forms.BooleanField(label=label, required=False, initial=row is not None)
            self.fields[f"{prefix}_description"] = forms.CharField(
                label=_("Description"), required=False, max_length=300, initial=row.description if row else ""
            )
            self.fields[f"{prefix}_retention"] = forms.CharField(
                label=_("Retention period"), required=False, max_length=300, initial=row.retention if row else ""
            )
            self.fields[f"{prefix}_retention_fr"] = forms.CharField(
                label=_("Retention period (French)"),
                required=False,
                max_length=300,
                initial=row.retention_fr if row else "",
            )
            self.category_rows.append(
                [
                    self[prefix],
                    self[f"{prefix}_description"],
                    self[f"{prefix}_retention"],
                    self[f"{prefix}_retention_fr"],
                ]
            )

    def categories(self) -> list[CategoryInput]:
        data = self.cleaned_data
        return [
            CategoryInput(
                category=value,
                description=data.get(f"category_{value}_description", ""),
                retention=data.get(f"category_{value}_retention", ""),
                retention_fr=data.get(f"category_{value}_retention_fr", ""),
            )
            for value in Category.values
            if data.get(f"category_{value}")
        ]

    def activity_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "recipients"}

    def _post_clean(self) -> None:
        # The service validates the model (and reports by field); the unique reference is checked here.
        reference = self.cleaned_data.get("reference")
        if reference:
            clash = ProcessingActivity.objects.filter(reference=reference).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("reference", _("Another activity has this reference."))


class ApprovalForm(forms.Form):
    checklist = _checkboxes(_("Review checklist"), ReviewItem.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class RecipientForm(forms.ModelForm):
    class Meta:
        model = Recipient
        fields = [
            "name",
            "name_fr",
            "kind",
            "country",
            "data_location",
            "contract_reference",
            "contract_signed_on",
            "transfer_mechanism",
            "transfer_documentation",
        ]
        widgets = {"contract_signed_on": DATE_INPUT}

    def _post_clean(self) -> None:
        pass  # the service validates (country upper-cased first)


class ProfileForm(forms.ModelForm):
    authority_url = forms.URLField(
        label=OrganisationProfile._meta.get_field("authority_url").verbose_name, assume_scheme="https"
    )

    class Meta:
        model = OrganisationProfile
        fields = [
            "controller_name",
            "controller_head",
            "controller_address",
            "controller_phone",
            "controller_email",
            "joint_controllers",
            "representative",
            "dpo_name",
            "dpo_company",
            "dpo_address",
            "dpo_phone",
            "dpo_email",
            "authority_name",
            "authority_url",
            "rights_contact",
            "review_period_months",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("controller_address", "joint_controllers", "representative", "dpo_address")
        }

    def _post_clean(self) -> None:
        pass


class BreachForm(forms.ModelForm):
    nature = _checkboxes(_("Nature of the breach"), BreachNature.choices)
    data_categories = _checkboxes(_("Categories of personal data"), Category.choices)

    class Meta:
        model = Breach
        fields = [
            "title",
            "aware_at",
            "occurred_at",
            "nature",
            "description",
            "data_categories",
            "subjects_approx",
            "records_approx",
            "consequences",
            "measures",
            "dpo_contact",
            "risk_level",
            "authority_decision",
            "not_notified_reason",
            "subjects_communication",
            "art34_exemption",
        ]
        widgets = {
            "aware_at": DATETIME_INPUT,
            "occurred_at": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 2}),
            "measures": forms.Textarea(attrs={"rows": 2}),
            "not_notified_reason": forms.Textarea(attrs={"rows": 2}),
            "subjects_communication": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self) -> None:
        pass


class NotificationForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=NotificationPhase.choices)
    sent_at = forms.DateTimeField(label=_("Sent at"), widget=DATETIME_INPUT)
    reference = forms.CharField(label=_("Authority's reference"), required=False, max_length=100)
    content = forms.CharField(label=_("What was sent"), widget=forms.Textarea(attrs={"rows": 3}))
    delay_reason = forms.CharField(
        label=_("Reasons for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the notification comes more than 72 hours after becoming aware (Art. 33(1))."),
    )


class ContactLinkForm(forms.Form):
    contact_ids = forms.CharField(
        label=_("Contact ids"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The ids of the contacts concerned, separated by spaces, commas or new lines."),
    )

    def clean_contact_ids(self) -> list[int]:
        parts = self.cleaned_data["contact_ids"].replace(",", " ").split()
        bad = [part for part in parts if not part.isascii() or not part.isdigit()]
        if bad:
            raise forms.ValidationError(_("Not contact ids: %(bad)s.") % {"bad": ", ".join(bad[:5])})
        return [int(part) for part in parts]
