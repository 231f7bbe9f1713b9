"""Consent in a contact merge (CON-08): every event of both records kept, the state recomputed.

Consent events are append-only, so the merged-away record keeps its own and
the survivor receives a copy of each (same facts, same proof, a note naming
the merge). The survivor's derived state is then folded from all its events in
the order they happened: a withdrawal or an objection on either record wins
over any consent given before it. Undo removes exactly the copies (and their
history rows) and recomputes again.
"""

from __future__ import annotations

from django.db import router

from crm.dedup.hooks import MergeHandler, register_after_merge, register_merge_handler
from crm.models import Contact, ContactMerge

from .models import ConsentEvent, ConsentState
from .state import EventFacts, StateValue, apply_event

_COPIED = [
    f.attname for f in ConsentEvent._meta.concrete_fields if f.attname not in ("id", "contact_id", "recorded_at")
]


def _copy_events(merge: ContactMerge, survivor: Contact, merged: Contact) -> list[int]:
    ids = []
    for event in ConsentEvent.objects.filter(contact=merged).order_by("occurred_at", "id"):
        copy = ConsentEvent(contact=survivor, **{name: getattr(event, name) for name in _COPIED})
        marker = f"[merge #{merge.pk}: event #{event.pk} of contact #{merged.pk}]"
        copy.note = f"{marker} {event.note}".strip()
        copy.save()
        ids.append(copy.pk)
    return ids


def _remove_copies(merge: ContactMerge, ids: list[int]) -> None:
    copies = ConsentEvent.objects.filter(pk__in=ids)
    # The raw delete sends no post_delete: the attachment files are the originals' and stay.
    copies._raw_delete(router.db_for_write(ConsentEvent))
    ConsentEvent.history.filter(id__in=ids).delete()


def consent_states_recompute(contact: Contact) -> None:
    """Fold the contact's events in the order they happened into its states; per-row saves (history)."""
    expected: dict[tuple[int, str], StateValue | None] = {}
    for event in ConsentEvent.objects.filter(contact=contact).order_by("occurred_at", "id"):
        key = (event.purpose_id, event.channel)
        facts = EventFacts(event.pk, event.action, event.occurred_at, event.wording_id, event.awaits_confirmation)
        expected[key] = apply_event(expected.get(key), facts)
    stored = {(s.purpose_id, s.channel): s for s in ConsentState.objects.select_for_update().filter(contact=contact)}
    for key, value in expected.items():
        if value is None:
            continue
        row = stored.get(key) or ConsentState(contact=contact, purpose_id=key[0], channel=key[1])
        current = (row.status, row.since, row.granted_at, row.wording_id, row.last_event_id)
        wanted = (value.status, value.since, value.granted_at, value.wording_id, value.last_event_id)
        if row.pk is None or current != wanted:
            row.status, row.since, row.granted_at, row.wording_id, row.last_event_id = wanted
            row.save()
    for key, row in stored.items():
        if expected.get(key) is None:
            row.delete()


def register() -> None:
    register_merge_handler(ConsentEvent, MergeHandler(merge=_copy_events, undo=_remove_copies))
    # States are derived: the merged record keeps its own, the survivor's are recomputed after the merge.
    register_merge_handler(ConsentState, MergeHandler(merge=lambda merge, survivor, merged: [], undo=lambda m, i: None))
    register_after_merge(consent_states_recompute)
