"""How events make the current state: one pure rule, used both by the services and by the rebuild.

The services apply it to each new event; `rebuild_consent_state` folds it over
the whole log. Using the same function is what makes the rebuild find nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .models import Action, Status


@dataclass(frozen=True)
class StateValue:
    status: str
    since: datetime
    granted_at: datetime | None
    wording_id: int | None
    last_event_id: int | None


@dataclass(frozen=True)
class EventFacts:
    """What the rule reads from an event (a model instance or a `values()` row)."""

    id: int
    action: str
    occurred_at: datetime
    wording_id: int | None
    awaits_confirmation: bool


def apply_event(current: StateValue | None, event: EventFacts) -> StateValue | None:
    """The state after `event`; a confirmation counts only for a consent awaiting it."""
    action = event.action
    if action == Action.CONFIRMATION_SENT:
        return current
    if action == Action.CONFIRMED:
        if current is None or current.status != Status.PENDING:
            return current
        return StateValue(Status.GRANTED, event.occurred_at, event.occurred_at, current.wording_id, event.id)
    if action == Action.GIVEN:
        if event.awaits_confirmation:
            return StateValue(Status.PENDING, event.occurred_at, None, event.wording_id, event.id)
        return StateValue(Status.GRANTED, event.occurred_at, event.occurred_at, event.wording_id, event.id)
    status = {Action.WITHDRAWN: Status.WITHDRAWN, Action.EXPIRED: Status.EXPIRED, Action.OBJECTED: Status.OBJECTED}[
        action
    ]
    wording_id = current.wording_id if current else None
    return StateValue(status, event.occurred_at, None, wording_id, event.id)


def fold(events: Iterable[EventFacts]) -> StateValue | None:
    state = None
    for event in events:
        state = apply_event(state, event)
    return state
