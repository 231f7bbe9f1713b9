from __future__ import annotations

from typing import Any

from django import template

from ..selectors import requests_for_contact

register = template.Library()


@register.simple_tag
def contact_requests(contact: Any) -> list[Any]:
    """The requests matched to `contact`, newest first (the contact page's requests panel)."""
    return list(requests_for_contact(contact.pk)[:20])
