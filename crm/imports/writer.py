"""The bulk path of an import: new contacts of one chunk in a handful of statements.

`contact_create` per row costs a dozen queries; an import writes a whole chunk
with one COPY per table on PostgreSQL (bulk_create elsewhere), through the
`BulkWriter` that `generate_contacts` uses. What the service does per row is
done here per chunk, with the same result:

- contacts with provenance (source "import", file and supplier, collected now);
- contact points: the value encrypted once, its blind index, the first of each
  kind primary;
- external ids, tags (created when missing), organisations (created when missing);
- a "+" history row for every tracked row, attributed to the current actor and
  holding the very ciphertext of the live row (nothing is encrypted twice).

The caller owns the transaction, and has checked uniqueness beforehand (the
database constraints still stand behind that check).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models.functions import Lower

from core.actors import Actor
from core.crypto import Ciphertext, encrypt

from ..generation.writers import BulkWriter, bulk_writer
from ..models import Contact, ContactPoint, ContactPointKind, ExternalId, Organisation, SourceKind, Tag, search_key
from .validation import Candidate

Row = dict[str, Any]


def _blank_row(model: type[models.Model], now: datetime) -> Row:
    """Every concrete column with the value a new instance would get (history rows copy them all)."""
    row: Row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            row[field.attname] = now
        elif field.has_default():
            row[field.attname] = field.get_default()
        elif field.null:
            row[field.attname] = None
        else:
            row[field.attname] = ""
    return row


class ChunkWriter:
    def __init__(self, *, actor: Actor, now: datetime, owner_id: int | None, reason: str, system: str) -> None:
        self.bulk: BulkWriter = bulk_writer()
        self.actor = actor
        self.now = now
        self.owner_id = owner_id
        self.reason = reason[:100]
        self.system = system
        self._blank: dict[type[models.Model], Row] = {}

    # ------------------------------------------------------------------ rows and history

    def _rows(self, model: type[models.Model], values: Iterable[Row]) -> list[Row]:
        blank = self._blank.get(model)
        if blank is None:
            blank = self._blank[model] = _blank_row(model, self.now)
        return [{**blank, **row} for row in values]

    def _insert_tracked(self, model: type[models.Model], rows: list[Row]) -> None:
        """Insert rows (ids assigned into them) and one "+" history row each."""
        if not rows:
            return
        self.bulk.insert(model, rows, assign_ids=True)
        history_model = model.history.model  # type: ignore[attr-defined]
        copied = [f.attname for f in history_model._meta.concrete_fields if not f.attname.startswith("history_")]
        stamp = {
            "history_type": "+",
            "history_date": self.now,
            "history_change_reason": self.reason or None,
            "history_user_id": self.actor.user_id,
            "history_actor_kind": self.actor.kind,
            "history_actor_label": self.actor.label[:150],
        }
        self.bulk.insert(history_model, [{**{name: row[name] for name in copied}, **stamp} for row in rows])

    # ------------------------------------------------------------------ referenced rows

    def organisations(self, names: Iterable[str], *, create: bool = True) -> dict[str, int]:
        """search_key(name) -> id of the organisation of that name (the oldest when several), created if missing."""
        wanted = {search_key(name): name for name in names if name}
        if not wanted:
            return {}
        found: dict[str, int] = {}
        for key, pk in (
            Organisation.objects.filter(name_key__in=wanted).order_by("-id").values_list("name_key", "id").iterator()
        ):
            found[key] = pk
        missing = [{"name": wanted[key], "name_key": key} for key in wanted if key not in found]
        if missing and create:
            rows = self._rows(Organisation, missing)
            self._insert_tracked(Organisation, rows)
            found.update({row["name_key"]: row["id"] for row in rows})
        return found

    def tags(self, names: Iterable[str], *, create: bool = True) -> dict[str, int]:
        """lower-cased name -> tag id, matching existing tags whatever their case, created if missing."""
        wanted = {name.lower(): name for name in names}
        if not wanted:
            return {}
        found = dict(
            Tag.objects.annotate(lowered=Lower("name")).filter(lowered__in=wanted).values_list("lowered", "id")
        )
        missing = [{"name": wanted[key]} for key in wanted if key not in found]
        if missing and create:
            rows = self._rows(Tag, missing)
            self._insert_tracked(Tag, rows)
            found.update({row["name"].lower(): row["id"] for row in rows})
        return found

    # ------------------------------------------------------------------ contacts

    def contacts(
        self, candidates: Sequence[Candidate], *, organisation_ids: dict[str, int], tag_ids: dict[str, int]
    ) -> list[int]:
        """Insert the candidates as new contacts with their points, external ids and tags; return their ids."""
        contact_rows = self._rows(Contact, (self._contact_values(c, organisation_ids) for c in candidates))
        self._insert_tracked(Contact, contact_rows)
        ids = [row["id"] for row in contact_rows]
        point_values: list[Row] = []
        external_values: list[Row] = []
        tag_links: list[Row] = []
        for contact_id, candidate in zip(ids, candidates, strict=True):
            for kind, values, indexes in (
                (ContactPointKind.EMAIL, candidate.emails, candidate.email_indexes),
                (ContactPointKind.PHONE, candidate.phones, candidate.phone_indexes),
            ):
                for position, (value, index) in enumerate(zip(values, indexes, strict=True)):
                    point_values.append(
                        {
                            "contact_id": contact_id,
                            "kind": kind,
                            "value": Ciphertext(encrypt(value)),
                            "value_index": index,
                            "is_primary": position == 0,
                        }
                    )
            if candidate.external_id:
                external_values.append(
                    {"contact_id": contact_id, "system": self.system, "value": candidate.external_id}
                )
            tag_links += [{"contact_id": contact_id, "tag_id": tag_ids[name.lower()]} for name in candidate.tags]
        self._insert_tracked(ContactPoint, self._rows(ContactPoint, point_values))
        self._insert_tracked(ExternalId, self._rows(ExternalId, external_values))
        if tag_links:
            self.bulk.insert(Contact.tags.through, tag_links)
        return ids

    def _contact_values(self, candidate: Candidate, organisation_ids: dict[str, int]) -> Row:
        fields = candidate.fields
        values: Row = {
            **fields,
            "first_name_key": search_key(fields["first_name"]),
            "last_name_key": search_key(fields["last_name"]),
            "organisation_id": organisation_ids.get(search_key(candidate.organisation))
            if candidate.organisation
            else None,
            "owner_id": self.owner_id,
            "source": SourceKind.IMPORT,
            "collected_at": self.now,
        }
        if fields.get("notes"):
            values["notes"] = Ciphertext(encrypt(fields["notes"]))
        return values
