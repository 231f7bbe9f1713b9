"""Compliant audience export: only the contacts the engine allows, with a count of each exclusion reason.

The file goes to the disclosure log (who received which contacts, for which
purpose). Contacts still owed an Art. 14 notice get it through the outbox
before they appear in a file for a first campaign (CON-12), and their row
carries the source statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from core.audit import audit_event_record
from crm.models import Contact, ContactPoint, SourceKind, Tag
from crm.services.logs import disclosure_record
from crm.services.notices import art14_notice_send

from .eligibility import Identifier, check_many, exclusion_counts
from .models import Channel, Purpose

CHUNK = 10_000
ADDRESS_FIELD = {Channel.EMAIL: "email", Channel.SMS: "phone", Channel.PHONE: "phone", Channel.POST: "street"}
COLUMNS = ["id", "first_name", "last_name", "preferred_language", "address", "source_statement"]


@dataclass
class Audience:
    purpose: Purpose
    channel: str
    eligible: list[int] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    considered: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    disclosure_id: int | None = None


def _candidate_ids(tag: Tag | None) -> Iterator[list[int]]:
    contacts = Contact.objects.visible().order_by("pk")  # never an archived contact (RET-05)
    if tag is not None:
        contacts = contacts.filter(tags=tag)
    ids = list(contacts.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _source_statement(contact: Contact) -> str:
    detail = f", {contact.source_detail}" if contact.source_detail else ""
    return f"{SourceKind(contact.source).label}{detail}"


def _addresses(ids: list[int], channel: str) -> dict[int, str]:
    addresses: dict[int, str] = {}
    if channel == Channel.POST:
        for pk, street, postal_code, city in Contact.objects.filter(pk__in=ids).values_list(
            "pk", "street", "postal_code", "city"
        ):
            addresses[pk] = f"{street}, {postal_code} {city}".strip(", ")
        return addresses
    kind = "email" if channel == Channel.EMAIL else "phone"
    for point in ContactPoint.objects.filter(contact_id__in=ids, kind=kind).order_by("-is_primary", "id"):
        addresses.setdefault(point.contact_id, point.value)
    return addresses


def _rows(ids: list[int], channel: str) -> list[list[str]]:
    addresses = _addresses(ids, channel)
    rows = []
    for contact in Contact.objects.filter(pk__in=ids).order_by("pk"):
        statement = ""
        if contact.is_indirect and contact.art14_notice_sent_at is None:
            statement = _source_statement(contact)
            art14_notice_send(contact=contact)
        rows.append(
            [
                str(contact.pk),
                contact.first_name,
                contact.last_name,
                contact.preferred_language,
                addresses.get(contact.pk, ""),
                statement,
            ]
        )
    return rows


def audience_build(*, purpose: Purpose, channel: str, tag: Tag | None = None) -> Audience:
    """Check every candidate: who may be contacted, and how many are excluded for each reason (nothing written)."""
    audience = Audience(purpose=purpose, channel=channel)
    answers = []
    for ids in _candidate_ids(tag):
        chunk = check_many([Identifier(contact_id=pk) for pk in ids], purpose=purpose, channel=channel)
        answers.extend(chunk)
        audience.eligible.extend(answer.contact_id for answer in chunk if answer.allowed and answer.contact_id)
    audience.considered = len(answers)
    audience.excluded = exclusion_counts(answers)
    return audience


def audience_export(*, purpose: Purpose, channel: str, recipient: str, tag: Tag | None = None) -> Audience:
    """The eligible contacts' rows, logged as a disclosure to `recipient`; one transaction."""
    audience = audience_build(purpose=purpose, channel=channel, tag=tag)
    with transaction.atomic():
        audience.rows = _rows(audience.eligible, channel)
        disclosure = disclosure_record(
            recipient=recipient,
            channel="export",
            contact_ids=audience.eligible,
            fields=["id", "first_name", "last_name", "preferred_language", ADDRESS_FIELD[channel]],
            purpose=f"{purpose.activity.reference} · {purpose.key} ({channel})",
        )
        audience.disclosure_id = disclosure.pk
        audit_event_record(
            action="consent.audience_exported",
            obj=disclosure,
            data={
                "purpose": purpose.key,
                "channel": channel,
                "tag": tag.pk if tag else None,
                "considered": audience.considered,
                "exported": len(audience.eligible),
                "excluded": audience.excluded,
            },
        )
    return audience
