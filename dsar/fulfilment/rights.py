"""Arts. 16, 18 and 21: rectification, restriction and objection, each through the service that already owns it.

Rectification goes through `crm.services.contact_update` (which opens the Art. 19
tasks), restriction through `crm.services.restriction` (reason, banner, notice
before lifting), a marketing objection through `consent.services.objection_record`
(immediate, suppression list). This module adds the request's side: the case-file
event, the audit event and the message to the requester.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import Method
from consent.services import Proof, objection_record
from core.actors import current_actor
from core.audit import audit_event_record
from crm.models import Contact
from crm.services import contact_update
from crm.services.restriction import contact_restriction_place
from dsar.models import Request, Right
from dsar.models.fulfilment import ObjectionDecision, ObjectionOutcome, RequestRestriction

from .common import check_open, event_record, fulfilled, matched_contacts, requester_message

# The contact fields a rectification may change, in the diff form's order (emails and phones are lists).
RECTIFIABLE_FIELDS = (
    "first_name",
    "last_name",
    "job_title",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "preferred_language",
)
LIST_FIELDS = ("emails", "phones")


def _matched(request: Request, contact: Contact) -> Contact:
    if contact.pk not in {c.pk for c in matched_contacts(request)}:
        raise ValidationError({"contact": [_("This contact is not matched to the request.")]})
    return contact


def rectification_apply(
    *,
    request: Request,
    contact: Contact,
    changes: dict[str, Any],
    emails: list[str] | None = None,
    phones: list[str] | None = None,
) -> list[str]:
    """Apply the corrections the requester asked for; returns the names of the fields that changed.

    The person is told which fields were corrected (not their values) through the outbox.
    """
    unknown = sorted(set(changes) - set(RECTIFIABLE_FIELDS))
    if unknown:
        raise ValidationError({"changes": [_("These fields cannot be rectified here: %s.") % ", ".join(unknown)]})
    with transaction.atomic():
        check_open(request, Right.RECTIFICATION)
        contact = _matched(request, Contact._base_manager.get(pk=contact.pk))
        before = {name: getattr(contact, name) for name in changes}
        before_lists = {"emails": contact.emails, "phones": contact.phones}
        updated = contact_update(
            contact=contact,
            emails=emails,
            phones=phones,
            reason=f"rectification ({request.reference})",
            **changes,
        )
        changed = [name for name in changes if getattr(updated, name) != before[name]]
        changed += [
            name
            for name, values in (("emails", emails), ("phones", phones))
            if values is not None and list(getattr(updated, name)) != before_lists[name]
        ]
        if not changed:
            raise ValidationError(_("Nothing to correct: every requested value is already the current one."))
        labels = [str(_field_label(name)) for name in changed]
        message = requester_message(request=request, template="dsar_rectified", context={"fields": labels})
        event_record(request=request, kind="communicated", action="rectified_told", message=message)
        fulfilled(request=request, action="rectified", contact=contact.pk, fields=len(changed))
        audit_event_record(action="dsar.rectified", obj=request, subject_id=contact.pk, data={"fields": changed})
    return changed


def _field_label(name: str) -> str:
    if name == "emails":
        return _("e-mail addresses")
    if name == "phones":
        return _("phone numbers")
    return Contact._meta.get_field(name).verbose_name


@transaction.atomic
def restriction_place(*, request: Request, contact: Contact, reason: str) -> RequestRestriction:
    """Restrict the contact for the request (Art. 18), through the contact's own restriction."""
    check_open(request, Right.RESTRICTION)
    contact = _matched(request, contact)
    contact_restriction_place(contact=contact, reason=reason)
    link = RequestRestriction.objects.filter(request=request, contact=contact, lifted_at__isnull=True).first()
    if link is None:
        link = RequestRestriction.objects.create(request=request, contact=contact)
        message = requester_message(request=request, template="dsar_restricted", context={})
        event_record(request=request, kind="communicated", action="restriction_told", message=message)
        fulfilled(request=request, action="restriction_placed", contact=contact.pk)
        audit_event_record(action="dsar.restriction_placed", obj=request, subject_id=contact.pk)
    return link


def restriction_lifted(*, contact_id: int) -> int:
    """The contact's restriction was lifted (by crm's own path, after notice): the open links record when."""
    lifted = 0
    for link in RequestRestriction.objects.filter(contact_id=contact_id, lifted_at__isnull=True).select_related(
        "request"
    ):
        link.lifted_at = timezone.now()
        link.save(update_fields=["lifted_at"])
        event_record(request=link.request, action="restriction_lifted", contact=contact_id)
        lifted += 1
    return lifted


@transaction.atomic
def objection_marketing(*, request: Request) -> int:
    """Art. 21(2)-(3): applied at once to every matched contact; returns the number of consent events."""
    check_open(request, Right.OBJECTION)
    contacts = matched_contacts(request)
    if not contacts:
        raise ValidationError(_("No contact is matched to this request."))
    staff = current_actor()
    events = 0
    for contact in contacts:
        proof = Proof(note=f"request {request.reference}")
        events += len(objection_record(contact=contact, method=Method.STAFF, proof=proof))
    message = requester_message(request=request, template="dsar_objection_marketing", context={})
    event_record(request=request, kind="communicated", action="objection_marketing_told", message=message)
    fulfilled(request=request, action="objection_marketing", contacts=len(contacts))
    audit_event_record(
        action="dsar.objection_marketing", obj=request, data={"contacts": len(contacts), "by": staff.kind}
    )
    return events


@transaction.atomic
def objection_decide(
    *, request: Request, contact: Contact, decision: str, grounds: str = "", processing: str = ""
) -> ObjectionOutcome:
    """Art. 21(1): staff's decision on an objection to other processing; continuing needs compelling grounds."""
    check_open(request, Right.OBJECTION)
    contact = _matched(request, contact)
    grounds = grounds.strip()
    if decision not in ObjectionDecision.values:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    if decision == ObjectionDecision.CONTINUED and not grounds:
        raise ValidationError(
            {"grounds": [_("State the compelling legitimate grounds that override the person's interests.")]}
        )
    outcome = ObjectionOutcome.objects.create(
        request=request,
        contact=contact,
        processing=processing.strip(),
        decision=decision,
        grounds=grounds,
        decided_by=current_actor().label[:150],
    )
    message = requester_message(
        request=request,
        template="dsar_objection_decision",
        context={"continued": decision == ObjectionDecision.CONTINUED, "grounds": grounds},
    )
    event_record(request=request, kind="communicated", action="objection_decision_told", message=message)
    fulfilled(request=request, action="objection_decided", contact=contact.pk, decision=decision)
    audit_event_record(
        action="dsar.objection_decided", obj=request, subject_id=contact.pk, data={"decision": decision}, note=grounds
    )
    return outcome
