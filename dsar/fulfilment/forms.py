"""Staff forms of fulfilment: the rectification diff, restriction reason, objection decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import Contact
from dsar.models.fulfilment import ObjectionDecision

from .rights import RECTIFIABLE_FIELDS


class RectificationForm(forms.Form):
    """One row per field: the current value beside the requested one; a blank requested value changes nothing."""

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.rows: list[tuple[str, Any, forms.BoundField]] = []
        for name in RECTIFIABLE_FIELDS:
            model_field = Contact._meta.get_field(name)
            field = model_field.formfield(required=False)
            if isinstance(field, forms.TypedChoiceField):
                field.choices = [("", "—"), *[c for c in field.choices if c[0] != ""]]
            self.fields[name] = field
        self.fields["emails"] = forms.CharField(
            label=_("e-mail addresses"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("One per line: the full list after the correction."),
        )
        self.fields["phones"] = forms.CharField(
            label=_("phone numbers"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("One per line: the full list after the correction."),
        )
        current = {name: getattr(contact, name) for name in RECTIFIABLE_FIELDS}
        current |= {"emails": "\n".join(contact.emails), "phones": "\n".join(contact.phones)}
        for name in self.fields:
            self.rows.append((str(self.fields[name].label), current[name], self[name]))

    def changes(self) -> tuple[dict[str, Any], list[str] | None, list[str] | None]:
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in RECTIFIABLE_FIELDS
            if data.get(name) not in (None, "") and data[name] != getattr(self.contact, name)
        }

        def lines(name: str) -> list[str] | None:
            text = (data.get(name) or "").strip()
            return [line.strip() for line in text.splitlines() if line.strip()] if text else None

        return changes, lines("emails"), lines("phones")


class RestrictionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, initial=_("Accuracy contested (Art. 18(1)(a))"))


class ObjectionDecisionForm(forms.Form):
    processing = forms.CharField(label=_("Processing objected to"), required=False, max_length=2000)
    decision = forms.ChoiceField(label=_("Decision"), choices=ObjectionDecision.choices)
    grounds = forms.CharField(
        label=_("Grounds"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to continue the processing: the compelling legitimate grounds (Art. 21(1))."),
    )
