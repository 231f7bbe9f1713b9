from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import ServiceErrorsMixin
from crm.models import Contact, Organisation

from .models import RetentionPolicy
from .services import POLICY_RULE_FIELDS


class PolicyForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["name", *POLICY_RULE_FIELDS, "legal_reference"]  # the order of the page
        widgets = {"legal_reference": forms.Textarea(attrs={"rows": 3})}


class LegalHoldForm(ServiceErrorsMixin, forms.Form):
    contact = forms.IntegerField(label=_("Contact id"), required=False, min_value=1)
    organisation = forms.IntegerField(label=_("or organisation id"), required=False, min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=255)
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_contact(self) -> Contact | None:
        pk = self.cleaned_data.get("contact")
        if pk is None:
            return None
        contact = Contact.objects.filter(pk=pk).first()
        if contact is None:
            raise forms.ValidationError(_("No contact has this id."))
        return contact

    def clean_organisation(self) -> Organisation | None:
        pk = self.cleaned_data.get("organisation")
        if pk is None:
            return None
        organisation = Organisation.objects.filter(pk=pk).first()
        if organisation is None:
            raise forms.ValidationError(_("No organisation has this id."))
        return organisation

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("contact")) == bool(data.get("organisation")):
            raise forms.ValidationError(_("Choose a contact or an organisation, not both."))
        return data


class ArchiveOpenForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you open this archived record?"), max_length=255, help_text=_("The reason is logged.")
    )
