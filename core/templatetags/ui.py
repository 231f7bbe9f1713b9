"""Small template helpers for the staff UI (Bootstrap classes, navigation, role names)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.urls import translate_url
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Group names are data (access.roles); their labels are translated here for display only.
ROLE_LABELS: dict[str, str | Promise] = {
    "Administrator": _("Administrator"),
    "DPO": _("DPO"),
    "Sales": _("Sales"),
    "Marketing": _("Marketing"),
    "Support": _("Support"),
    "Auditor": _("Auditor"),
}


@register.filter
def startswith(value: Any, prefix: Any) -> bool:
    return str(value).startswith(str(prefix))


@register.filter
def role_label(name: str) -> str | Promise:
    return ROLE_LABELS.get(name, name)


def _bootstrap_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.filter
def bootstrap_widget(field: BoundField) -> SafeString:
    """Render a bound field's widget with Bootstrap classes, marked invalid when it has errors."""
    classes = [field.field.widget.attrs.get("class", ""), _bootstrap_class(field.field.widget)]
    if field.errors:
        classes.append("is-invalid")
    attrs: dict[str, Any] = {"class": " ".join(c for c in classes if c)}
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by = [f"{field.auto_id}_errors"]
        if field.help_text:
            described_by.insert(0, f"{field.auto_id}_helptext")
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def language_url(context: template.Context, language_code: str) -> str:
    """The current page's address in another language (what the language switch sends as `next`).

    Computed while the page's own language is active: Django's set_language resolves
    `next` in whatever language the cookie holds, which fails for prefixed paths.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language_code)
