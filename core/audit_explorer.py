"""The audit explorer: one search over the change history of every tracked model, the domain events and the
record-access log ("everything user X did last week", "everyone who viewed contact Y").

Each source is asked for its most recent matching rows (at most `limit`), and the
rows are merged newest first. Sources:

- "event": core AuditEvent (action = the event's action, e.g. "contacts.disclosed");
- "history": every django-simple-history table (action "created", "changed", "deleted");
- "access": the record-access log of contacts, when an app registers it (action "viewed").

core imports no app to its right: crm registers the access log with `register_source`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

HISTORY_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
DEFAULT_LIMIT = 500
MAX_LIMIT = 50_000


@dataclass(frozen=True)
class Query:
    user: str = ""  # a username (exact) or an actor label ("job: purge", "api key: …")
    since: date | None = None
    until: date | None = None
    object_type: str = ""  # "crm.Contact"
    object_id: str = ""
    action: str = ""  # "created", "changed", "deleted", "viewed" or an event action ("contacts.disclosed")
    source: str = ""  # "event", "history", "access" or "" for all

    @property
    def since_at(self) -> datetime | None:
        return timezone.make_aware(datetime.combine(self.since, time.min)) if self.since else None

    @property
    def until_at(self) -> datetime | None:
        return timezone.make_aware(datetime.combine(self.until, time.max)) if self.until else None


@dataclass(frozen=True)
class Row:
    at: datetime
    source: str
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: str = ""

    def as_list(self) -> list[str]:
        return [
            self.at.isoformat(),
            self.source,
            self.actor,
            self.action,
            self.object_type,
            self.object_id,
            self.detail,
        ]


HEADER = ["when", "source", "actor", "action", "object_type", "object_id", "detail"]
Source = Callable[[Query, int], list[Row]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    _sources[name] = source


def parse_object(text: str) -> tuple[str, str]:
    """ "crm.Contact:42" -> ("crm.Contact", "42"); "42" -> ("crm.Contact", "42") (a contact's id)."""
    text = text.strip()
    if not text:
        return "", ""
    label, _sep, pk = text.rpartition(":")
    if not label:
        label, pk = "crm.Contact", text
    if not pk.strip().isdigit():
        raise ValidationError({"object": _("Give an object as app.Model:id (e.g. crm.Contact:42) or a contact id.")})
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise ValidationError({"object": _("Unknown kind of object: %(label)s") % {"label": label}}) from exc
    return model._meta.label, pk.strip()


def _events(query: Query, limit: int) -> list[Row]:
    events = AuditEvent.objects.order_by("-occurred_at", "-id")
    if query.user:
        events = events.filter(actor_label=query.user)
    if query.since_at:
        events = events.filter(occurred_at__gte=query.since_at)
    if query.until_at:
        events = events.filter(occurred_at__lte=query.until_at)
    if query.object_type == "crm.Contact" and query.object_id:
        events = events.filter(subject_id=int(query.object_id)) | events.filter(
            object_type=query.object_type, object_id=query.object_id
        )
    elif query.object_type:
        events = events.filter(object_type=query.object_type, object_id=query.object_id)
    if query.action:
        events = events.filter(action=query.action)
    fields = ("occurred_at", "actor_label", "action", "object_type", "object_id", "subject_id", "reason")
    return [
        Row(at, "event", actor, action, otype, oid, reason or (f"contact {subject}" if subject else ""))
        for at, actor, action, otype, oid, subject, reason in events.values_list(*fields)[:limit]
    ]


def history_models() -> Iterator[Any]:
    """Every django-simple-history model of the project (HistoricalContact, HistoricalBreach, …)."""
    for model in apps.get_models():
        fields = {field.name for field in model._meta.get_fields()}
        if hasattr(model, "instance_type") and {"history_date", "history_type"} <= fields:
            yield model


def _history(query: Query, limit: int) -> list[Row]:
    wanted_type = {value: key for key, value in HISTORY_ACTIONS.items()}.get(query.action)
    if query.action and wanted_type is None:
        return []
    rows: list[Row] = []
    for model in history_models():
        label = model.instance_type._meta.label
        if query.object_type and query.object_type != label:
            continue
        records = model.objects.order_by("-history_date")
        if query.user:
            records = (
                records.filter(history_actor_label=query.user)
                if _stamped(model)
                else records.filter(history_user__username=query.user)
            )
        if query.since_at:
            records = records.filter(history_date__gte=query.since_at)
        if query.until_at:
            records = records.filter(history_date__lte=query.until_at)
        if query.object_id:
            records = records.filter(**{model.instance_type._meta.pk.attname: query.object_id})
        if wanted_type:
            records = records.filter(history_type=wanted_type)
        pk_name = model.instance_type._meta.pk.attname
        actor_field = "history_actor_label" if _stamped(model) else "history_user__username"
        fields = ("history_date", actor_field, "history_type", pk_name, "history_change_reason")
        for at, actor, kind, pk, reason in records.values_list(*fields)[:limit]:
            rows.append(Row(at, "history", actor or "", HISTORY_ACTIONS.get(kind, kind), label, str(pk), reason or ""))
    return rows


def _stamped(model: Any) -> bool:
    return any(field.name == "history_actor_label" for field in model._meta.get_fields())


register_source("event", _events)
register_source("history", _history)


def audit_search(query: Query, *, limit: int = DEFAULT_LIMIT) -> list[Row]:
    """The `limit` most recent rows matching `query` across the sources, newest first."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows: list[Row] = []
    for name, source in _sources.items():
        if not query.source or query.source == name:
            rows.extend(source(query, limit))
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]


def source_names() -> list[str]:
    return list(_sources)
