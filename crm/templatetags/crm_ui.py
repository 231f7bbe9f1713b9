"""Template helpers of the contact area."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def optional_url(name: str, *args: object) -> str:
    """`{% url %}` for a page that may not exist yet (another issue adds it): "" instead of an error."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
