"""The "may I contact?" engine (CNS-07, CNS-09, CNS-10, CNS-11, CON-11).

One function answers for one identifier or ten thousand: it reads the purpose
once, then the contacts, their contact points, the suppression list and the
consent states in one query each, whatever the number of identifiers.

The order of the rules, first match wins: unknown person; restricted (Art. 18);
suppressed (the identifier is on the suppression list, marketing purposes);
channel not used by the purpose; for a call to a consumer, the call slots and
(before the phone opt-in date) Bloctel (CNS-09); objection; then the consent state and the
prospection rules for the purpose's lawful basis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.utils import timezone

from core.crypto import blind_index
from core.lookups import Ids
from crm.models import Contact, ContactPoint, ContactStatus, PersonKind
from crm.normalise import normalise_email
from registry.choices import LegalBasis

from .models import BloctelCheck, Channel, Purpose, Status, Suppression
from .phone import bloctel_valid_since, call_slot_allowed

# Shared mailboxes: addresses of an organisation, not of a person (CNIL B2B guidance, A6.1).
GENERIC_LOCAL_PARTS = frozenset(
    [
        "accueil",
        "admin",
        "bonjour",
        "commercial",
        "communication",
        "compta",
        "contact",
        "contacts",
        "direction",
        "hello",
        "hr",
        "info",
        "infos",
        "jobs",
        "marketing",
        "office",
        "rh",
        "sales",
        "secretariat",
        "service",
        "support",
        "team",
        "vente",
        "ventes",
    ]
)


class Reason:
    # allowed
    CONSENT = "consent"
    EXISTING_CUSTOMER = "existing_customer"
    PROFESSIONAL = "professional"
    GENERIC_ADDRESS = "generic_address"
    OPT_OUT = "opt_out"
    CURRENT_CONTRACT = "current_contract"
    # denied
    UNKNOWN = "unknown"
    RESTRICTED = "restricted"
    SUPPRESSED = "suppressed"
    OBJECTED = "objected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NO_CONSENT = "no_consent"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    NOT_PROFESSION_RELATED = "not_profession_related"
    CHANNEL_NOT_USED = "channel_not_used"
    PURPOSE_INACTIVE = "purpose_inactive"
    NEEDS_REFRESH = "needs_refresh"
    OUTSIDE_CALL_HOURS = "outside_call_hours"
    BLOCTEL_LISTED = "bloctel_listed"
    BLOCTEL_UNCHECKED = "bloctel_unchecked"

    DENIED = (
        UNKNOWN,
        RESTRICTED,
        SUPPRESSED,
        OBJECTED,
        WITHDRAWN,
        EXPIRED,
        NO_CONSENT,
        AWAITING_CONFIRMATION,
        NOT_PROFESSION_RELATED,
        CHANNEL_NOT_USED,
        PURPOSE_INACTIVE,
        NEEDS_REFRESH,
        OUTSIDE_CALL_HOURS,
        BLOCTEL_LISTED,
        BLOCTEL_UNCHECKED,
    )


@dataclass(frozen=True)
class Identifier:
    contact_id: int | None = None
    email: str = ""

    def label(self) -> str | int:
        return self.contact_id if self.contact_id is not None else self.email


@dataclass(slots=True)
class Answer:
    identifier: Identifier
    allowed: bool
    reason: str
    lawful_basis: str
    contact_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        key = "contact" if self.identifier.contact_id is not None else "email"
        return {
            key: self.identifier.label(),
            "contact_id": self.contact_id,
            "allowed": self.allowed,
            "reason": self.reason,
            "lawful_basis": self.lawful_basis,
        }


@lru_cache(maxsize=1)
def _phone_opt_in_from(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def phone_opt_in_applies(now: dt.datetime) -> bool:
    return timezone.localdate(now) >= _phone_opt_in_from(settings.CONSENT_PHONE_OPT_IN_FROM)


def is_generic_address(email: str) -> bool:
    local = email.split("@", 1)[0].lower()
    return local in GENERIC_LOCAL_PARTS or local.split(".")[0].split("-")[0] in GENERIC_LOCAL_PARTS


@dataclass
class _Person:
    contact_id: int
    kind: str
    status: str
    restricted: bool
    suppressed: bool
    state: str | None
    granted_at: dt.datetime | None
    bloctel_listed: bool = False
    bloctel_unchecked: bool = False


def _email_hash(email: str) -> str | None:
    try:
        return blind_index(normalise_email(email))
    except ValidationError:
        return None


def _bloctel(now: dt.datetime) -> dict[str, Exists]:
    """For the phone channel: is a number of the contact listed, is one not checked recently (CNS-09)."""
    phones = ContactPoint.objects.filter(contact_id=OuterRef("pk"), kind="phone")
    fresh = BloctelCheck.objects.filter(checked_at__gte=bloctel_valid_since(now))
    return {
        "bloctel_listed": Exists(phones.filter(value_index__in=fresh.filter(listed=True).values("value_hash"))),
        "bloctel_unchecked": Exists(phones.exclude(value_index__in=fresh.values("value_hash"))),
    }


def _people(
    ids: set[int], purpose: Purpose, channel: str, owner_id: int | None, now: dt.datetime
) -> dict[int, _Person]:
    """The contacts (only `owner_id`'s when given), whether a point of theirs is suppressed, their state: one query.

    Index-driven whatever the batch: the ids go as one array (`__any_of`), the state
    row is a LEFT JOIN on its unique (contact, purpose, channel) index, and the
    suppression check probes the list's unique (kind, hash) index from each of the
    contact's points; no ordering, no scan of the points or of the list.
    """
    on_list = Suppression.objects.filter(kind=OuterRef("kind"), value_hash=OuterRef("value_index"))
    suppressed_point = ContactPoint.objects.filter(contact_id=OuterRef("pk")).filter(Exists(on_list))
    contacts = Contact.objects.filter(id__any_of=Ids(sorted(ids))).visible().order_by()
    if owner_id is not None:
        contacts = contacts.filter(owner_id=owner_id)
    state = FilteredRelation(
        "consent_states", condition=Q(consent_states__purpose=purpose, consent_states__channel=channel)
    )
    fields = ["id", "kind", "status", "restricted", "is_suppressed", "state__status", "state__granted_at"]
    contacts = contacts.annotate(is_suppressed=Exists(suppressed_point), state=state)
    if channel == Channel.PHONE and not phone_opt_in_applies(now):
        contacts = contacts.annotate(**_bloctel(now))
        fields += ["bloctel_listed", "bloctel_unchecked"]
    with _without_jit(len(ids) > JIT_OFF_FROM):
        return {row[0]: _Person(*row) for row in contacts.values_list(*fields)}


JIT_OFF_FROM = 500  # ids; a smaller batch stays under the planner's JIT threshold


@contextmanager
def _without_jit(wanted: bool) -> Iterator[None]:
    """PostgreSQL would JIT-compile this query for a large batch (its cost estimate grows with the array), which
    alone took longer than running it (about 180 ms of 430 ms for 10,000 ids): off for this statement only."""
    if not wanted or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _resolve(identifiers: Sequence[Identifier]) -> tuple[list[int | None], list[str | None]]:
    """Who each identifier is, in order: ids as given, e-mails through the blind index (one query for all)."""
    email_hashes = [None if ident.contact_id is not None else _email_hash(ident.email) for ident in identifiers]
    wanted = [h for h in email_hashes if h]
    by_hash: dict[str, int] = {}
    if wanted:
        points = ContactPoint.objects.filter(kind="email", value_index__any_of=Ids(wanted)).order_by()
        by_hash = dict(points.values_list("value_index", "contact_id"))
    resolved = [
        ident.contact_id if ident.contact_id is not None else by_hash.get(h or "")
        for ident, h in zip(identifiers, email_hashes, strict=True)
    ]
    return resolved, email_hashes


def check_many(
    identifiers: Sequence[Identifier],
    *,
    purpose: Purpose,
    channel: str,
    now: dt.datetime | None = None,
    owner_id: int | None = None,
) -> list[Answer]:
    """Answer for each identifier, in order; with `owner_id` (a Sales user), other people's contacts are unknown."""
    now = now or timezone.now()
    resolved, email_hashes = _resolve(identifiers)
    people = _people({pk for pk in resolved if pk is not None}, purpose, channel, owner_id, now)
    unknown_hashes = [h for pk, h in zip(resolved, email_hashes, strict=True) if h and pk not in people]
    suppressed = (
        set(
            Suppression.objects.filter(kind="email", value_hash__any_of=Ids(unknown_hashes)).values_list(
                "value_hash", flat=True
            )
        )
        if unknown_hashes
        else set()
    )
    rules = _Rules.of(purpose, channel, now)
    basis, denied = purpose.lawful_basis, _DENIED
    answers = []
    for ident, pk, email_hash in zip(identifiers, resolved, email_hashes, strict=True):
        person = people.get(pk) if pk is not None else None
        unknown_suppressed = person is None and email_hash is not None and email_hash in suppressed
        reason = _decide(rules, purpose, channel, person, now, unknown_suppressed, ident.email)
        answers.append(Answer(ident, reason not in denied, reason, basis, person.contact_id if person else None))
    return answers


def check_one(
    identifier: Identifier,
    *,
    purpose: Purpose,
    channel: str,
    now: dt.datetime | None = None,
    owner_id: int | None = None,
) -> Answer:
    return check_many([identifier], purpose=purpose, channel=channel, now=now, owner_id=owner_id)[0]


# Plain strings: comparing with an enum member costs an attribute lookup each time, 10,000 times a bulk check.
_DENIED = frozenset(Reason.DENIED)
_GRANTED, _PENDING = str(Status.GRANTED.value), str(Status.PENDING.value)
_WITHDRAWN, _EXPIRED, _OBJECTED = str(Status.WITHDRAWN.value), str(Status.EXPIRED.value), str(Status.OBJECTED.value)
_CONSUMER = str(PersonKind.CONSUMER.value)


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the purpose, the channel and the moment decide once for a whole batch."""

    marketing: bool
    active: bool
    channel_used: bool
    consumer_calls: bool  # a marketing call: the CNS-09 rules apply to consumers
    consent_based: bool
    granted_before_expired: dt.datetime | None  # a consent granted at or before this has expired
    refresh_since: dt.datetime | None

    @classmethod
    def of(cls, purpose: Purpose, channel: str, now: dt.datetime) -> _Rules:
        validity = purpose.validity_days
        return cls(
            marketing=purpose.is_marketing,
            active=purpose.active,
            channel_used=channel in purpose.channels,
            consumer_calls=channel == Channel.PHONE and purpose.is_marketing,
            consent_based=purpose.lawful_basis == LegalBasis.CONSENT,
            granted_before_expired=now - dt.timedelta(days=validity) if validity else None,
            refresh_since=purpose.refresh_required_since,
        )


def _decide(
    rules: _Rules,
    purpose: Purpose,
    channel: str,
    person: _Person | None,
    now: dt.datetime,
    unknown_suppressed: bool,
    email: str,
) -> str:
    if person is None:
        return Reason.SUPPRESSED if rules.marketing and unknown_suppressed else Reason.UNKNOWN
    if person.restricted:
        return Reason.RESTRICTED
    if rules.marketing and person.suppressed:
        return Reason.SUPPRESSED
    if not rules.active:
        return Reason.PURPOSE_INACTIVE
    if not rules.channel_used:
        return Reason.CHANNEL_NOT_USED
    if rules.consumer_calls and person.kind == _CONSUMER:
        refusal = _canvassing_refusal(purpose, person, now)
        if refusal:
            return refusal
    status, granted_at = person.state, person.granted_at
    if status == _GRANTED:
        if granted_at is not None:
            if rules.granted_before_expired is not None and granted_at <= rules.granted_before_expired:
                return Reason.EXPIRED
            if rules.refresh_since is not None and granted_at < rules.refresh_since:
                return Reason.NEEDS_REFRESH  # CNS-06: given for what the activity was before its material change
        return Reason.CONSENT
    if status == _OBJECTED:
        return Reason.OBJECTED
    if status == _WITHDRAWN:
        return Reason.WITHDRAWN
    if status == _EXPIRED:
        return Reason.EXPIRED
    if rules.consent_based:
        return Reason.AWAITING_CONFIRMATION if status == _PENDING else Reason.NO_CONSENT
    if not rules.marketing:
        return Reason.OPT_OUT
    return _prospection_rule(purpose, channel, person, now, email)


def _canvassing_refusal(purpose: Purpose, person: _Person, now: dt.datetime) -> str:
    """CNS-09: call slots always; before the opt-in date, Bloctel unless a current contract has a direct link."""
    if not call_slot_allowed(now):
        return Reason.OUTSIDE_CALL_HOURS
    current_contract = person.status == ContactStatus.CUSTOMER and purpose.customer_offer
    if phone_opt_in_applies(now) or current_contract:
        return ""
    if person.bloctel_listed:
        return Reason.BLOCTEL_LISTED
    return Reason.BLOCTEL_UNCHECKED if person.bloctel_unchecked else ""


def _prospection_rule(purpose: Purpose, channel: str, person: _Person, now: dt.datetime, email: str) -> str:
    """No consent on record, a purpose not based on consent: the French prospection rules (A6)."""
    customer = person.status == ContactStatus.CUSTOMER
    if channel in (Channel.EMAIL, Channel.SMS):
        if person.kind == PersonKind.CONSUMER:
            return Reason.EXISTING_CUSTOMER if customer and purpose.customer_offer else Reason.NO_CONSENT
        address = email or _primary_email(person.contact_id)
        if channel == Channel.EMAIL and address and is_generic_address(address):
            return Reason.GENERIC_ADDRESS
        return Reason.PROFESSIONAL if purpose.profession_related else Reason.NOT_PROFESSION_RELATED
    if channel == Channel.PHONE and person.kind == PersonKind.CONSUMER and phone_opt_in_applies(now):
        return Reason.CURRENT_CONTRACT if customer and purpose.customer_offer else Reason.NO_CONSENT
    return Reason.OPT_OUT


def _primary_email(contact_id: int) -> str:
    """Decrypted only when the generic-address rule needs it (professionals without consent, by e-mail)."""
    point = ContactPoint.objects.filter(contact_id=contact_id, kind="email").order_by("-is_primary", "id").first()
    return point.value if point else ""


def purposes_by_key() -> dict[str, Purpose]:
    return {purpose.key: purpose for purpose in Purpose.objects.all()}


def exclusion_counts(answers: Sequence[Answer]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for answer in answers:
        if not answer.allowed:
            counts[answer.reason] += 1
    return dict(sorted(counts.items()))
