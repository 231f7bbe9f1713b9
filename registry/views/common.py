from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

AREA = "core.access_registry"


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form's fields, and those of fields it does not show at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
