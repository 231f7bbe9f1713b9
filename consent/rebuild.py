"""Recompute the derived consent state from the event log and compare it with the stored one.

Contacts are read in id ranges of `batch_size`; each range costs two queries
(its events in recording order, its stored states), so memory stays bounded
on any number of contacts. With `fix`, differences are corrected through
per-row saves, so each correction is in the history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Max, Min

from core.audit import audit_event_record
from crm.models import Contact

from .models import ConsentEvent, ConsentState
from .state import EventFacts, StateValue, apply_event

Key = tuple[int, int, str]


@dataclass
class RebuildReport:
    contacts: int = 0
    events: int = 0
    states: int = 0
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    different: list[Key] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.different)


def _expected(contact_range: tuple[int, int], report: RebuildReport) -> dict[Key, StateValue]:
    expected: dict[Key, StateValue | None] = defaultdict(lambda: None)
    rows = (
        ConsentEvent.objects.filter(contact_id__gte=contact_range[0], contact_id__lt=contact_range[1])
        .order_by("id")
        .values_list(
            "id", "contact_id", "purpose_id", "channel", "action", "occurred_at", "wording_id", "awaits_confirmation"
        )
    )
    for pk, contact_id, purpose_id, channel, action, occurred_at, wording_id, awaits in rows.iterator(chunk_size=5000):
        key = (contact_id, purpose_id, channel)
        expected[key] = apply_event(expected[key], EventFacts(pk, action, occurred_at, wording_id, awaits))
        report.events += 1
    return {key: value for key, value in expected.items() if value is not None}


def _stored(contact_range: tuple[int, int]) -> dict[Key, StateValue]:
    rows = ConsentState.objects.filter(contact_id__gte=contact_range[0], contact_id__lt=contact_range[1]).values_list(
        "contact_id", "purpose_id", "channel", "status", "since", "granted_at", "wording_id", "last_event_id"
    )
    return {(c, p, ch): StateValue(s, since, granted, w, e) for c, p, ch, s, since, granted, w, e in rows.iterator()}


def _fix(expected: dict[Key, StateValue], stored: dict[Key, StateValue], keys: list[Key]) -> None:
    with transaction.atomic():
        for key in keys:
            contact_id, purpose_id, channel = key
            row = ConsentState.objects.filter(contact_id=contact_id, purpose_id=purpose_id, channel=channel).first()
            value = expected.get(key)
            if value is None:
                if row is not None:
                    row.delete()
                continue
            row = row or ConsentState(contact_id=contact_id, purpose_id=purpose_id, channel=channel)
            row.status, row.since, row.granted_at = value.status, value.since, value.granted_at
            row.wording_id, row.last_event_id = value.wording_id, value.last_event_id
            row.save()


def consent_state_rebuild(
    *, fix: bool = False, batch_size: int = 10_000, contacts: models.QuerySet | None = None
) -> RebuildReport:
    """Compare (and with `fix`, correct) the state of every contact, or of the id range `contacts` spans."""
    report = RebuildReport()
    bounds = (contacts if contacts is not None else Contact.objects).aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return report
    start = bounds["low"]
    while start <= bounds["high"]:
        contact_range = (start, min(start + batch_size, bounds["high"] + 1))
        expected, stored = _expected(contact_range, report), _stored(contact_range)
        report.states += len(stored)
        missing = [key for key in expected if key not in stored]
        extra = [key for key in stored if key not in expected]
        different = [key for key in expected if key in stored and expected[key] != stored[key]]
        report.missing += missing
        report.extra += extra
        report.different += different
        if fix and (missing or extra or different):
            _fix(expected, stored, missing + extra + different)
        start += batch_size
    report.contacts = Contact.objects.filter(id__gte=bounds["low"], id__lte=bounds["high"]).count()
    if fix and report.differences:
        audit_event_record(
            action="consent.state_rebuilt",
            data={"missing": len(report.missing), "extra": len(report.extra), "different": len(report.different)},
        )
    return report
