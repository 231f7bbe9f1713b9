"""CNS-05: consent proof is kept for the policy's period after the processing ends, then purged.

The processing of one contact, purpose and channel ends when consent stops
counting: withdrawn, expired or objected (the state's `since`). From then, the
proof is kept for the policy's period (5 years by default: the limitation
period of claims), then a run deletes, for each such state: every consent event
of that contact, purpose and channel, their attachments, their history rows,
and the state row with its history. A live consent (granted or awaiting
confirmation) keeps all of its proof; contacts under a legal hold keep theirs.
The suppression list is not touched (it has its own rule). The contacts
themselves stay: this purge removes proof, not people.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, models, transaction

from consent.models import ConsentEvent, ConsentState, Status

from .engine import int_array
from .selectors import held_contacts

ENDED = (Status.WITHDRAWN, Status.EXPIRED, Status.OBJECTED)
EVENTS = ConsentEvent._meta.label
STATES = ConsentState._meta.label


def _expired(cutoff: datetime) -> models.QuerySet[ConsentState]:
    return ConsentState.objects.filter(status__in=ENDED, since__lt=cutoff)


def _unheld(states: models.QuerySet[ConsentState], today: date | None) -> models.QuerySet[ConsentState]:
    from crm.models import Contact

    held = Contact.objects.filter(held_contacts(today)).values("pk")
    return states.exclude(contact_id__in=held)


def proof_expired(cutoff: datetime, today: date | None = None) -> models.QuerySet[ConsentState]:
    """The ended consents whose proof is past its period, outside legal holds."""
    return _unheld(_expired(cutoff), today)


def proof_held(cutoff: datetime, today: date | None = None) -> int:
    return _expired(cutoff).count() - proof_expired(cutoff, today).count()


def _events_of(states: models.QuerySet[ConsentState]) -> models.QuerySet[ConsentEvent]:
    same = ConsentState.objects.filter(
        pk__in=states.values("pk"),
        contact_id=models.OuterRef("contact_id"),
        purpose_id=models.OuterRef("purpose_id"),
        channel=models.OuterRef("channel"),
    )
    return ConsentEvent.objects.filter(models.Exists(same))


def proof_preview(cutoff: datetime, today: date | None = None) -> dict[str, dict[str, int]]:
    states = proof_expired(cutoff, today)
    return {STATES: {"rows": states.count()}, EVENTS: {"rows": _events_of(states).count()}}


PURGE_SQL = """
WITH gone_events AS (
    DELETE FROM {events} e USING {states} s
    WHERE s.id = ANY(%(ids)s::bigint[])
      AND e.contact_id = s.contact_id AND e.purpose_id = s.purpose_id AND e.channel = s.channel
    RETURNING e.id, e.attachment
), gone_event_history AS (
    DELETE FROM {event_history} h WHERE h.id IN (SELECT id FROM gone_events) RETURNING 1
), gone_states AS (
    DELETE FROM {states} s WHERE s.id = ANY(%(ids)s::bigint[]) RETURNING s.id
), gone_state_history AS (
    DELETE FROM {state_history} h WHERE h.id IN (SELECT id FROM gone_states) RETURNING 1
)
SELECT (SELECT count(*) FROM gone_events), (SELECT count(*) FROM gone_event_history),
       (SELECT count(*) FROM gone_states), (SELECT count(*) FROM gone_state_history),
       ARRAY(SELECT attachment FROM gone_events WHERE attachment <> '')
"""


def _delete_files(names: list[str]) -> None:
    storage = ConsentEvent._meta.get_field("attachment").storage
    for name in names:
        storage.delete(name)


def proof_purge(state_ids: list[int]) -> dict[str, dict[str, int]]:
    """Delete the proof of these ended states in the caller's transaction; attachments go after commit."""
    sql = PURGE_SQL.format(
        events=ConsentEvent._meta.db_table,
        states=ConsentState._meta.db_table,
        event_history=ConsentEvent.history.model._meta.db_table,
        state_history=ConsentState.history.model._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": int_array(state_ids)})
        events, event_history, states, state_history, files = cursor.fetchone()
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    counts = {
        EVENTS: {"deleted": events, "history": event_history},
        STATES: {"deleted": states, "history": state_history},
    }
    return {
        table: {k: v for k, v in numbers.items() if v} for table, numbers in counts.items() if any(numbers.values())
    }
