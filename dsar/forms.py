"""Forms of the dsar app: the public request form and the staff actions on a case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.normalise import check_visible_text, normalise_email

from .models import ExtensionCategory, IdentityMethod, RefusalGround, RequestChannel, RequestStatus, Right

NAME_MAX = 150
DETAILS_MAX = 5000
EMAIL_MAX = 254


def _clean_line(value: str, field: str) -> str:
    value = (value or "").strip()
    check_visible_text({field: value})
    return value


class PublicRequestForm(forms.Form):
    """What a person fills in on /privacy/request/: no account, no identity document, no reason asked (DSR-01)."""

    rights = forms.MultipleChoiceField(
        label=_("What would you like us to do?"),
        choices=Right.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one request."),
            "invalid_choice": _("Choose among the requests listed."),
        },
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name.")},
    )
    email = forms.CharField(
        label=_("Your e-mail address"),
        max_length=EMAIL_MAX,
        help_text=_("We send a link to this address: your request is handled once you open it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Give your e-mail address.")},
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=DETAILS_MAX,
        help_text=_("For example what to correct, or which use of your data you object to."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # A field people never see nor fill: robots do (the answer is the same, nothing is sent).
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def clean_name(self) -> str:
        return _clean_line(self.cleaned_data["name"], "name")

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])

    def clean_details(self) -> str:
        details = self.cleaned_data["details"]
        if "\x00" in details:
            raise ValidationError(_("Remove the invisible characters from the text."))
        return details.strip()

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class RegisterForm(forms.Form):
    """A request received by e-mail, post, phone or in person, dated from its actual receipt (DSR-01)."""

    rights = forms.MultipleChoiceField(label=_("Rights"), choices=Right.choices, widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label=_("Received by"), choices=[c for c in RequestChannel.choices if c[0] != "web"])
    received_at = forms.DateTimeField(
        label=_("Received at"),
        help_text=_("The actual date of receipt: the one-month deadline runs from it."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    name = forms.CharField(label=_("Requester's name"), max_length=NAME_MAX)
    email = forms.CharField(label=_("Requester's e-mail"), max_length=EMAIL_MAX, required=False)
    language = forms.ChoiceField(label=_("Language of the answers"), choices=settings.LANGUAGES, initial="fr")
    details = forms.CharField(
        label=_("Details"), required=False, max_length=DETAILS_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers()
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean_name(self) -> str:
        return _clean_line(self.cleaned_data["name"], "name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        return normalise_email(email) if email else ""

    def clean_received_at(self) -> Any:
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise ValidationError(_("The date of receipt cannot be in the future."))
        return value


def handlers() -> Any:
    """Staff who may handle requests: the assignee choices."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="access_requests")
            | Q(user_permissions__codename="access_requests")
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = handlers()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=DETAILS_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class InformationAskForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasonable doubt about the identity"),
        max_length=1000,
        help_text=_("Why the address alone is not enough (Art. 12(6)); kept on the case, not sent."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(
        label=_("What you ask the requester"),
        max_length=DETAILS_MAX,
        help_text=_("Ask only for what confirms the identity, e.g. a customer number. Sent by e-mail."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.BooleanField(
        label=_("An identity document is needed (high risk or sensitive data)"), required=False
    )


class InformationReceiveForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Identity checked by"),
        choices=[c for c in IdentityMethod.choices if c[0] != IdentityMethod.ADDRESS_CONTROL],
    )
    document = forms.FileField(
        label=_("Identity document"),
        required=False,
        help_text=_("Read for the check, then deleted at once: only the fact of the check is kept."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class IdentityConfirmForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Identity checked by"),
        choices=[
            (IdentityMethod.DATA_ON_FILE, IdentityMethod.DATA_ON_FILE.label),
            (IdentityMethod.IN_PERSON, IdentityMethod.IN_PERSON.label),
        ],
    )


class ExtendForm(forms.Form):
    category = forms.ChoiceField(label=_("Why"), choices=ExtensionCategory.choices)
    reason = forms.CharField(
        label=_("Reason given to the requester"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=RefusalGround.choices)
    explanation = forms.CharField(
        label=_("Explanation given to the requester"),
        max_length=DETAILS_MAX,
        help_text=_("The notice adds the right to complain to the CNIL and the judicial remedy."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommunicateForm(forms.Form):
    note = forms.CharField(label=_("How the answer was sent"), required=False, max_length=1000)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Running")), *RequestStatus.choices],
    )
    right = forms.ChoiceField(label=_("Right"), required=False, choices=[("", _("All")), *Right.choices])
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    days_left = forms.IntegerField(label=_("Due within (days)"), required=False, min_value=0, max_value=3660)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    at_risk = forms.BooleanField(label=_("At risk only"), required=False)
    q = forms.CharField(label=_("Reference"), required=False, max_length=30)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *[(str(u.pk), u.get_username()) for u in handlers()],
        ]
