from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.text import is_id_text

from .models import Contact, Interaction, NotificationStatus, Organisation, Tag
from .services.contacts import PROFILE_FIELDS, PROVENANCE_FIELDS
from .services.restriction import NoticeChannel
from .templatetags.crm_ui import phone_display

CONTACT_FORM_FIELDS = [*PROFILE_FIELDS, "notes"]
SOURCE_FIELDS = list(PROVENANCE_FIELDS)


def justification_field() -> forms.CharField:
    """Shown when free text holds sensitive terms (CON-04): why this wording is needed; it is logged."""
    return forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=255,
        help_text=_("Why this wording is necessary. The justification is logged; the text is not."),
    )


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def staff_users() -> QuerySet:
    """Users who can own contacts: active members of at least one role."""
    return get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Field errors from a service land on the matching field, the rest on the form."""
    for field, messages in error.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, messages)


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)  # type: ignore[arg-type]


class OrganisationSelect(forms.Select):
    """A select that renders only the chosen organisation.

    There may be tens of thousands of organisations: the page's search box
    (`data-organisation-search`) fetches matching options with htmx instead.
    """

    def __init__(self, *args: Any, empty_label: str = "—", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        ids = [str(v) for v in value if is_id_text(str(v))]
        chosen = Organisation.objects.filter(pk__in=ids) if ids else Organisation.objects.none()
        everything = self.choices
        self.choices = [("", self.empty_label), *((organisation.pk, organisation.name) for organisation in chosen)]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everything


def _interface_language() -> str:
    """The language the user is working in, as a contact language choice (the model default otherwise)."""
    field = Contact._meta.get_field("preferred_language")
    language = (get_language() or "").split("-")[0]
    return language if language in dict(field.choices) else field.default


class ContactForm(ServiceErrorsMixin, forms.ModelForm):
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
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        # static/js/tag-picker.js turns it into a searchable multi-choice (type, arrows, Enter, Backspace).
        widget=forms.SelectMultiple(
            attrs={
                "size": 4,
                "data-tag-picker": "",
                "data-remove-label": _("Remove"),
                "data-no-results": _("No tag matches"),
            }
        ),
        help_text=_("Type to search the tags, Enter to add one, Backspace to remove the last one."),
    )
    justification = justification_field()

    class Meta:
        model = Contact
        # Labels come from the model; the provenance fields (CON-01) are only asked at creation.
        fields = [*CONTACT_FORM_FIELDS, "owner", *SOURCE_FIELDS]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "organisation": OrganisationSelect(attrs={"data-organisation-select": ""}),
            "collected_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {
            "collected_at": _("When the data were obtained; now if left empty."),
            "notes": _(
                "Stored encrypted. Keep notes objective and relevant: the person can obtain them "
                "through an access request, so write only what you would be comfortable showing them."
            ),
        }

    def __init__(self, *args: Any, can_see_notes: bool = True, can_choose_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_see_notes:
            del self.fields["notes"]
        if can_choose_owner:
            self.fields["owner"].queryset = staff_users()
        else:
            del self.fields["owner"]
        if self.instance.pk:
            for name in SOURCE_FIELDS:
                del self.fields[name]
        elif "owner" in self.fields:
            self.fields["owner"].empty_label = _("Me")  # the creator owns what nobody else is given
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("preferred_language", _interface_language())
        if self.instance.pk and not self.is_bound:
            points = list(self.instance.points.all())
            self.initial["emails"] = "\n".join(p.value for p in points if p.kind == "email")
            # As the contact page shows them; the service stores them back in E.164.
            self.initial["phones"] = "\n".join(phone_display(p.value) for p in points if p.kind == "phone")
            self.initial["tags"] = list(self.instance.tags.all())
            if "owner" in self.fields:
                self.initial["owner"] = self.instance.owner_id

    def service_arguments(self) -> dict[str, Any]:
        names = [*CONTACT_FORM_FIELDS, "owner", *SOURCE_FIELDS]
        data = {name: self.cleaned_data[name] for name in names if name in self.fields}
        data["emails"] = split_lines(self.cleaned_data["emails"])
        data["phones"] = split_lines(self.cleaned_data["phones"])
        data["tags"] = list(self.cleaned_data["tags"])
        data["justification"] = self.cleaned_data.get("justification", "")
        return data

    def _post_clean(self) -> None:
        # The service validates the model (full_clean) with the contact points; the form keeps
        # the instance untouched so an unchanged submission writes no history.
        pass


class InteractionForm(ServiceErrorsMixin, forms.ModelForm):
    justification = justification_field()

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_at", "subject", "body"]
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "body": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"body": _("Stored encrypted; the person can obtain it through an access request.")}

    def _post_clean(self) -> None:
        pass  # the service validates (full_clean) and saves


class WebsiteField(forms.URLField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class OrganisationForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "legal_id", "website", "street", "postal_code", "city", "country"]
        field_classes = {"website": WebsiteField}

    def _post_clean(self) -> None:
        pass  # the service validates (full_clean) and saves


class BulkTagForm(forms.Form):
    """Add or remove one tag on the contacts ticked in the list."""

    ADD, REMOVE = "add", "remove"

    action = forms.ChoiceField(choices=[(ADD, _("Add tag")), (REMOVE, _("Remove tag"))])
    tag = forms.CharField(label=_("Tag"), max_length=60)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=True, error_messages={"required": _("Tick contacts.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any submitted id is acceptable here; the view keeps those the user may change.
        submitted = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        self.fields["ids"].choices = [(value, value) for value in submitted if is_id_text(str(value))]


class ContactDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Optional; kept in the contact's history."),
    )


class RestrictionPlaceForm(ServiceErrorsMixin, forms.Form):
    """Restrict processing (Art. 18(1)): the data are kept, nothing else happens to them."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("E.g. accuracy contested, objection being examined, data kept for a legal claim."),
    )


class RestrictionNoticeForm(ServiceErrorsMixin, forms.Form):
    """How the person was told that the restriction is about to be lifted (Art. 18(3))."""

    channel = forms.ChoiceField(label=_("How to tell the person"), choices=NoticeChannel.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a letter, a call or a meeting: when and how the person was told."),
    )


class RestrictionLiftForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the restriction ends"), required=False, max_length=255, help_text=_("Optional; it is logged.")
    )


class RecipientNotificationCloseForm(ServiceErrorsMixin, forms.Form):
    """Close an Art. 19 task: the recipient was told, or could not be (with a justification)."""

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(value, label) for value, label in NotificationStatus.choices if value != NotificationStatus.OPEN],
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the recipient cannot be told: why it is impossible or disproportionate."),
    )


class RecipientEndpointForm(ServiceErrorsMixin, forms.Form):
    """A recipient's webhook for Art. 19 notices; the secret is asked for, never shown."""

    recipient = forms.CharField(
        label=_("Recipient"), max_length=200, help_text=_("The name exactly as in exports and Art. 19 tasks.")
    )
    url = forms.CharField(
        label=_("Endpoint URL"), max_length=2000, help_text=_("An https:// address that receives the notices.")
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 16 characters, shared with the recipient. Leave empty to keep the current one."),
    )
    reference_system = forms.CharField(
        label=_("The recipient's own ids"),
        required=False,
        max_length=40,
        help_text=_("The external-id system under which contacts carry the recipient's own reference, if any."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
