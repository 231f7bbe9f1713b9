"""Template helpers of the contact area."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import template
from django.utils.html import conditional_escape, format_html

register = template.Library()


@register.filter
def phone_display(value: str) -> str:
    """An E.164 number as people read it ("+33 6 12 34 56 78"); anything else unchanged."""
    try:
        number = phonenumbers.parse(value or "", None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def points_of(contact: Any, kind: str) -> list[Any]:
    """The contact's points of one kind (email or phone), primary first, from the prefetch cache."""
    return [point for point in contact.points.all() if point.kind == kind]


@register.filter
def email_breakable(value: str) -> str:
    """An address as people write it (Unicode domain), that may wrap before its "@" only."""
    local, at, domain = email_display(value).partition("@")
    if not at:
        return conditional_escape(value)
    return format_html("{}<wbr>@{}", local, domain)


@register.filter
def email_display(value: str) -> str:
    """The stored address has an IDNA domain (xn--…); show the domain as people write it."""
    local, at, domain = (value or "").partition("@")
    if not at or "xn--" not in domain:
        return value
    try:
        return f"{local}@{domain.encode('ascii').decode('idna')}"
    except UnicodeError:
        return value
