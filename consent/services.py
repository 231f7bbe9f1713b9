"""Every write of the consent app: purposes, wordings, consent events, objections, the suppression list.

Each function runs in one transaction, writes its audit event there, and sends
e-mail only after commit (through the outbox). The state table follows the
events through `state.apply_event`, the same rule the rebuild uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import current_actor
from core.audit import audit_event_record
from core.crypto import blind_index
from core.outbox import message_send
from crm.models import Contact, ContactPoint
from crm.normalise import normalise_email, normalise_phone

from . import tokens
from .models import (
    WORDING_FROZEN,
    Action,
    ConsentEvent,
    ConsentState,
    ConsentWording,
    Method,
    Purpose,
    Status,
    Suppression,
    SuppressionKind,
    SuppressionReason,
)
from .state import EventFacts, StateValue, apply_event

# Methods where the person acts online and a double opt-in purpose asks them to confirm their address.
ONLINE_METHODS = {Method.WEB_FORM, Method.PREFERENCE_CENTRE, Method.API}
CONFIRMATION_TEMPLATE = "consent_confirmation"


@dataclass
class Proof:
    """How the event was collected (EDPB 05/2020 para 108); every field is optional."""

    form_id: str = ""
    source_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    staff_user: Any = None
    api_key: Any = None
    import_job_ref: int | None = None
    import_file: str = ""
    outbox_message_ref: int | None = None
    note: str = ""
    attachment: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_fields(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id[:100],
            "source_url": self.source_url[:300],
            "ip_address": self.ip_address or None,
            "user_agent": self.user_agent[:300],
            "staff_user": self.staff_user,
            "api_key": self.api_key,
            "import_job_ref": self.import_job_ref,
            "import_file": self.import_file[:255],
            "outbox_message_ref": self.outbox_message_ref,
            "note": self.note,
            "attachment": self.attachment or "",
        }


# ----------------------------------------------------------------- purposes and wordings


def purpose_save(*, data: dict[str, Any], purpose: Purpose | None = None) -> Purpose:
    """Create or change a purpose; problems come back as field errors. New purposes have nobody consenting."""
    purpose = purpose or Purpose()
    created = purpose.pk is None
    for name, value in data.items():
        setattr(purpose, name, value)
    purpose.full_clean()
    with transaction.atomic():
        purpose.save()
        audit_event_record(
            action="consent.purpose_created" if created else "consent.purpose_changed",
            obj=purpose,
            data={"fields": sorted(data)},
        )
    return purpose


def wording_publish(
    *, purpose: Purpose, language: str, text: str, valid_from: datetime | None = None
) -> ConsentWording:
    """A new version of the wording for this purpose and language (the previous ones stay as they were)."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the text the person reads.")]})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("Choose one of the site's languages.")]})
    with transaction.atomic():
        Purpose.objects.select_for_update().get(pk=purpose.pk)
        last = ConsentWording.objects.filter(purpose=purpose, language=language).order_by("-version").first()
        wording = ConsentWording.objects.create(
            purpose=purpose,
            language=language,
            version=(last.version + 1) if last else 1,
            text=text.strip(),
            valid_from=valid_from or timezone.now(),
        )
        audit_event_record(
            action="consent.wording_published", obj=wording, data={"purpose": purpose.pk, "version": wording.version}
        )
    return wording


def wording_update(*, wording: ConsentWording, text: str) -> ConsentWording:
    """Correct a version nobody has seen yet; a shown version is refused (CNS-02): publish a new one."""
    with transaction.atomic():
        current = ConsentWording.objects.select_for_update().get(pk=wording.pk)
        if current.first_shown_at is not None:
            raise ValidationError({"text": [WORDING_FROZEN]})
        if not text.strip():
            raise ValidationError({"text": [_("Write the text the person reads.")]})
        current.text = text.strip()
        current.save()
    return current


def wordings_mark_shown(wordings: Iterable[ConsentWording]) -> None:
    """From the first time a version is shown to anyone, it is frozen."""
    pending = [wording.pk for wording in wordings if wording.first_shown_at is None]
    if not pending:
        return
    now = timezone.now()
    with transaction.atomic():
        for wording in ConsentWording.objects.select_for_update().filter(pk__in=pending, first_shown_at__isnull=True):
            wording.first_shown_at = now
            super(ConsentWording, wording).save(update_fields=["first_shown_at"])


# ----------------------------------------------------------------- suppression


def contact_point_hashes(contact: Contact) -> dict[str, list[str]]:
    rows = ContactPoint.objects.filter(contact=contact).values_list("kind", "value_index")
    hashes: dict[str, list[str]] = {SuppressionKind.EMAIL: [], SuppressionKind.PHONE: []}
    for kind, index in rows:
        hashes.setdefault(kind, []).append(index)
    return hashes


def identifier_hash(kind: str, value: str) -> str:
    """The keyed hash of a normalised e-mail or phone (the same blind index as the contact points)."""
    normalised = normalise_email(value) if kind == SuppressionKind.EMAIL else normalise_phone(value)
    return blind_index(normalised)


def suppression_add(
    *, kind: str, value_hash: str, reason: str, contact: Contact | None = None
) -> tuple[Suppression, bool]:
    """Put an identifier on the suppression list (idempotent: the first date and reason stay)."""
    with transaction.atomic():
        entry, created = Suppression.objects.get_or_create(
            kind=kind, value_hash=value_hash, defaults={"reason": reason, "contact": contact}
        )
        if created:
            audit_event_record(
                action="consent.suppressed",
                obj=entry,
                subject_id=contact.pk if contact else None,
                data={"kind": kind, "reason": reason},
            )
    return entry, created


def contact_is_suppressed(contact: Contact) -> bool:
    indexes = ContactPoint.objects.filter(contact=contact).values("value_index")
    return Suppression.objects.filter(value_hash__in=indexes).exists()


# ----------------------------------------------------------------- consent events


def _check_event(
    *, contact: Contact, purpose: Purpose, channel: str, action: str, wording: ConsentWording | None
) -> None:
    errors: dict[str, list[str]] = {}
    if channel not in purpose.channels:
        errors["channel"] = [
            _("The purpose “%(purpose)s” does not use the channel “%(channel)s”.")
            % {"purpose": purpose, "channel": channel}
        ]
    if action == Action.GIVEN:
        if wording is None:
            errors["wording"] = [_("Say which version of the wording the person was shown.")]
        elif wording.purpose_id != purpose.pk:
            errors["wording"] = [_("This wording belongs to another purpose.")]
        if not purpose.active:
            errors["purpose"] = [_("This purpose is no longer in use.")]
        if contact.restricted:
            errors["contact"] = [_("This contact is restricted (Art. 18): no new consent is recorded.")]
        elif purpose.is_marketing and contact_is_suppressed(contact):
            errors["contact"] = [
                _("This person objected to direct marketing: their address is on the suppression list.")
            ]
    if errors:
        raise ValidationError(errors)


def _state_save(event: ConsentEvent) -> None:
    state_row = (
        ConsentState.objects.select_for_update()
        .filter(contact_id=event.contact_id, purpose_id=event.purpose_id, channel=event.channel)
        .first()
    )
    current = (
        StateValue(
            state_row.status, state_row.since, state_row.granted_at, state_row.wording_id, state_row.last_event_id
        )
        if state_row
        else None
    )
    new = apply_event(
        current,
        EventFacts(event.pk, event.action, event.occurred_at, event.wording_id, event.awaits_confirmation),
    )
    if new is None or new == current:
        return
    state_row = state_row or ConsentState(
        contact_id=event.contact_id, purpose_id=event.purpose_id, channel=event.channel
    )
    state_row.status, state_row.since, state_row.granted_at = new.status, new.since, new.granted_at
    state_row.wording_id, state_row.last_event_id = new.wording_id, new.last_event_id
    state_row.save()


def consent_event_record(
    *,
    contact: Contact,
    purpose: Purpose,
    channel: str,
    action: str,
    method: str,
    wording: ConsentWording | None = None,
    proof: Proof | None = None,
    occurred_at: datetime | None = None,
    awaits_confirmation: bool = False,
) -> ConsentEvent:
    """Append one event and bring the state up to date, with its audit event, in the caller's transaction."""
    _check_event(contact=contact, purpose=purpose, channel=channel, action=action, wording=wording)
    actor = current_actor()
    with transaction.atomic():
        event = ConsentEvent.objects.create(
            contact=contact,
            purpose=purpose,
            channel=channel,
            action=action,
            method=method,
            wording=wording,
            occurred_at=occurred_at or timezone.now(),
            awaits_confirmation=awaits_confirmation,
            recorded_by_kind=actor.kind,
            recorded_by=actor.label[:150],
            **(proof or Proof()).as_fields(),
        )
        _state_save(event)
        if wording is not None:
            wordings_mark_shown([wording])
        audit_event_record(
            action=f"consent.{action}",
            obj=event,
            subject_id=contact.pk,
            data={"purpose": purpose.key, "channel": channel, "method": method, "wording": wording and wording.pk},
        )
    return event


def consent_give(
    *,
    contact: Contact,
    purpose: Purpose,
    channel: str,
    method: str,
    wording: ConsentWording | None,
    proof: Proof | None = None,
    occurred_at: datetime | None = None,
) -> ConsentEvent:
    """Record a consent; for a double opt-in purpose given online by e-mail, it counts once the person confirms."""
    email = _primary_email(contact)
    awaits = bool(purpose.double_opt_in and method in ONLINE_METHODS and channel == "email")
    if awaits and not email:
        raise ValidationError({"channel": [_("Double opt-in needs an e-mail address to confirm.")]})
    with transaction.atomic():
        event = consent_event_record(
            contact=contact,
            purpose=purpose,
            channel=channel,
            action=Action.GIVEN,
            method=method,
            wording=wording,
            proof=proof,
            occurred_at=occurred_at,
            awaits_confirmation=awaits,
        )
        if awaits:
            _confirmation_send(contact=contact, event=event, email=email)
    return event


def _primary_email(contact: Contact) -> str:
    point = ContactPoint.objects.filter(contact=contact, kind="email").order_by("-is_primary", "id").first()
    return point.value if point else ""


def _confirmation_send(*, contact: Contact, event: ConsentEvent, email: str) -> None:
    language = contact.preferred_language or "en"
    message = message_send(
        to=email,
        template=CONFIRMATION_TEMPLATE,
        contact=contact,
        language=language,
        context={
            "first_name": contact.first_name,
            "purpose": event.purpose.label(language),
            "wording": event.wording.text if event.wording else "",
            "confirm_url": f"{settings.SITE_URL}/privacy/confirm/{tokens.confirm_token(event.pk)}/",
            "unsubscribe_url": f"{settings.SITE_URL}/privacy/unsubscribe/"
            f"{tokens.unsubscribe_token(contact.pk, event.purpose_id)}/",
            "preferences_url": f"{settings.SITE_URL}/privacy/preferences/{tokens.preferences_token(contact.pk)}/",
            "controller_name": settings.CONTROLLER_NAME,
            "days": settings.CONSENT_CONFIRMATION_MAX_AGE // 86400,
        },
    )
    consent_event_record(
        contact=contact,
        purpose=event.purpose,
        channel=event.channel,
        action=Action.CONFIRMATION_SENT,
        method=Method.SYSTEM,
        proof=Proof(outbox_message_ref=message.pk),
    )


def consent_confirm(*, token: str, proof: Proof | None = None) -> ConsentEvent | None:
    """The person followed the double opt-in link: the pending consent counts from now.

    Raises tokens.BadToken for a bad or expired link; returns None when there is
    nothing left to confirm (already confirmed, withdrawn since, or a newer request).
    """
    event_id = tokens.confirm_read(token)["e"]
    with transaction.atomic():
        given = ConsentEvent.objects.select_related("contact", "purpose").filter(pk=event_id).first()
        if given is None:
            return None
        state = (
            ConsentState.objects.select_for_update()
            .filter(contact_id=given.contact_id, purpose_id=given.purpose_id, channel=given.channel)
            .first()
        )
        if state is None or state.status != Status.PENDING or state.last_event_id != given.pk:
            return None
        return consent_event_record(
            contact=given.contact,
            purpose=given.purpose,
            channel=given.channel,
            action=Action.CONFIRMED,
            method=Method.DOUBLE_OPT_IN,
            proof=proof,
        )


def consent_withdraw(
    *,
    contact: Contact,
    purpose: Purpose,
    channels: Iterable[str] | None = None,
    method: str,
    proof: Proof | None = None,
) -> list[ConsentEvent]:
    """Withdraw on the given channels (default: every channel with a live consent); immediate (CNS-04)."""
    live = {Status.GRANTED, Status.PENDING}
    states = ConsentState.objects.filter(contact=contact, purpose=purpose)
    wanted = set(channels) if channels is not None else None
    targets = [
        state.channel for state in states if state.status in live and (wanted is None or state.channel in wanted)
    ]
    events = []
    with transaction.atomic():
        for channel in targets:
            events.append(
                consent_event_record(
                    contact=contact,
                    purpose=purpose,
                    channel=channel,
                    action=Action.WITHDRAWN,
                    method=method,
                    proof=proof,
                )
            )
    return events


def objection_record(*, contact: Contact, method: str, proof: Proof | None = None) -> list[ConsentEvent]:
    """Art. 21(2)-(3): absolute and immediate. Every marketing purpose on every channel is marked objected and the
    person's e-mail addresses and phone numbers join the suppression list (CNS-10, CNS-11)."""
    events = []
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        for purpose in Purpose.objects.filter(is_marketing=True):
            for channel in purpose.channels:
                events.append(
                    consent_event_record(
                        contact=contact,
                        purpose=purpose,
                        channel=channel,
                        action=Action.OBJECTED,
                        method=method,
                        proof=proof,
                    )
                )
        for kind, hashes in contact_point_hashes(contact).items():
            for value_hash in hashes:
                suppression_add(kind=kind, value_hash=value_hash, reason=SuppressionReason.OBJECTION, contact=contact)
        audit_event_record(
            action="consent.objection_recorded",
            obj=contact,
            subject_id=contact.pk,
            data={"method": method, "events": len(events)},
        )
    return events


def material_change_flag(*, activity: Any, note: str = "") -> int:
    """CNS-06: the activity's purpose changed materially; every consent given before now must be renewed.

    Returns how many purposes were flagged. Consents given or confirmed after the
    flag count again; eligibility answers `needs_refresh` for the older ones.
    """
    now = timezone.now()
    with transaction.atomic():
        purposes = list(Purpose.objects.select_for_update().filter(activity=activity))
        for purpose in purposes:
            purpose.refresh_required_since = now
            purpose._change_reason = note or "material change of the activity"
            purpose.save(update_fields=["refresh_required_since"])
        audit_event_record(
            action="consent.material_change",
            obj=activity,
            data={"purposes": [purpose.key for purpose in purposes], "note": note[:200]},
        )
    return len(purposes)
