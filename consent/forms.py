from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.forms import ServiceErrorsMixin
from crm.models import Tag
from registry.models import ProcessingActivity

from .models import Channel, ConsentWording, Method, Purpose

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".mp3", ".wav", ".m4a", ".ogg", ".txt")


class PurposeForm(ServiceErrorsMixin, forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    activity = forms.ModelChoiceField(
        label=_("Processing activity"), queryset=ProcessingActivity.objects.filter(archived=False).order_by("reference")
    )

    class Meta:
        model = Purpose
        fields = [
            "key",
            "name",
            "name_fr",
            "activity",
            "lawful_basis",
            "channels",
            "validity_days",
            "double_opt_in",
            "is_marketing",
            "customer_offer",
            "profession_related",
            "active",
        ]


class WordingForm(ServiceErrorsMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))


class WordingEditForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))


RECORDABLE_ACTIONS = [("given", _("Consent given")), ("withdrawn", _("Consent withdrawn"))]
STAFF_METHODS = [(Method.PHONE, Method.PHONE.label), (Method.PAPER, Method.PAPER.label), (Method.STAFF, _("In person"))]


class RecordConsentForm(ServiceErrorsMixin, forms.Form):
    """A consent or withdrawal staff took by phone, on paper or in person, with the wording read and proof."""

    action = forms.ChoiceField(label=_("What the person said"), choices=RECORDABLE_ACTIONS)
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=Purpose.objects.filter(active=True))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    method = forms.ChoiceField(label=_("How"), choices=STAFF_METHODS)
    wording = forms.ModelChoiceField(
        label=_("Wording read or shown"),
        queryset=ConsentWording.objects.select_related("purpose"),
        required=False,
        help_text=_("Required for a consent: the exact version the person heard or signed."),
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    attachment = forms.FileField(
        label=_("Attachment"), required=False, help_text=_("Scan of the signed form or call recording (10 MB at most).")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload is None:
            return upload
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith(ATTACHMENT_TYPES):
            raise forms.ValidationError(_("Attach a PDF, an image, a sound recording or a text file."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "given" and not data.get("wording"):
            self.add_error("wording", _("Say which version of the wording the person was shown."))
        if data.get("method") == Method.PAPER and data.get("action") == "given" and not data.get("attachment"):
            self.add_error("attachment", _("Attach the scan of the signed paper form."))
        return data


class AudienceForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=Purpose.objects.filter(active=True))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.order_by("name"),
        required=False,
        help_text=_("Leave empty for every contact."),
    )
    recipient = forms.CharField(
        label=_("Recipient"), max_length=200, help_text=_("Who receives the file, e.g. the e-mailing tool.")
    )
