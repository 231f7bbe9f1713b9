from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Contact, Tag

CONTACT_FORM_FIELDS = [
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation",
    "job_title",
    "preferred_language",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "notes",
]


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class ContactForm(forms.ModelForm):
    """The contact's own fields plus its emails, phones and tags (one per line; the first is primary)."""

    emails = forms.CharField(
        label=_("Emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("One per line; the first is the primary address."),
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "inputmode": "tel"}),
        help_text=_("One per line, national (06 12 34 56 78) or international (+44 20 7946 0958)."),
    )
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=Tag.objects.all(), required=False)

    class Meta:
        model = Contact
        fields = CONTACT_FORM_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "notes": _(
                "Stored encrypted. The person can obtain these notes through an access request: "
                "write only what you would be comfortable showing them."
            ),
        }

    def __init__(self, *args: Any, can_see_notes: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_see_notes:
            del self.fields["notes"]
        if self.instance.pk and not self.is_bound:
            points = list(self.instance.points.all())
            self.initial["emails"] = "\n".join(p.value for p in points if p.kind == "email")
            self.initial["phones"] = "\n".join(p.value for p in points if p.kind == "phone")
            self.initial["tags"] = list(self.instance.tags.all())

    def service_arguments(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in CONTACT_FORM_FIELDS if name in self.fields}
        data["emails"] = split_lines(self.cleaned_data["emails"])
        data["phones"] = split_lines(self.cleaned_data["phones"])
        data["tags"] = list(self.cleaned_data["tags"])
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Field errors from the service land on the matching field, the rest on the form."""
        for field, messages in error.update_error_dict({}).items():
            self.add_error(field if field in self.fields else None, messages)

    def _post_clean(self) -> None:
        # The service validates the model (full_clean) with the contact points; the form keeps
        # the instance untouched so an unchanged submission writes no history.
        pass
