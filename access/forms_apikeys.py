"""Forms of the API-key pages (staff UI, administrators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .apikeys import MAX_EXPIRY_DAYS, NAME_MAX_LENGTH, SCOPES


def _scope_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} — {scope.description}") for name, scope in SCOPES.items()]


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("Which client uses the key, e.g. “Newsletter tool”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grant only what the client needs."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        required=False,
        initial=365,
        help_text=_("Leave empty for a key that never expires."),
    )

    def service_arguments(self) -> dict[str, Any]:
        return {
            "name": self.cleaned_data["name"],
            "scopes": self.cleaned_data["scopes"],
            "expires_in_days": self.cleaned_data["expires_in_days"],
        }


class ApiKeyRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
