"""Template helpers of the contact area."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import phonenumbers
from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language

register = template.Library()

_PK_PLACEHOLDER = 987654321


@lru_cache(maxsize=64)
def _url_around_pk(name: str, language: str | None, script_prefix: str) -> tuple[str, str]:
    """What `reverse(name, args=[pk])` puts before and after the pk, for this language and script prefix."""
    head, _, tail = reverse(name, args=[_PK_PLACEHOLDER]).partition(str(_PK_PLACEHOLDER))
    return head, tail


@register.filter
def url_for_pk(pk: int, name: str) -> str:
    """`{% url name pk %}` for an integer pk, reversed once per page language instead of once per row.

    A list of 50 contacts links each row to its contact and organisation: `reverse` costs more than
    everything else the row shows.
    """
    head, tail = _url_around_pk(name, get_language(), get_script_prefix())
    return f"{head}{int(pk)}{tail}"


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


@register.simple_tag(takes_context=True)
def contact_duplicates(context: Any, contact: Any) -> list[Any]:
    """The pending duplicate pairs of `contact` for the contact page (reviewers only), each with the other id."""
    from django.db.models import Q

    from ..models import CandidateStatus, DuplicateCandidate

    user = context.get("user")
    if user is None or not user.has_perm("crm.merge_contact"):
        return []
    rows = DuplicateCandidate.objects.filter(
        Q(contact_a_id=contact.pk) | Q(contact_b_id=contact.pk), status=CandidateStatus.PENDING
    ).order_by("-score")[:5]
    for row in rows:
        row.other_id = row.contact_b_id if row.contact_a_id == contact.pk else row.contact_a_id
    return list(rows)
