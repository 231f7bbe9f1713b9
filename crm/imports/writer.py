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

import csv
import functools
import io
import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models.functions import Lower

from core.actors import Actor
from core.crypto import Ciphertext, encrypt

from ..generation.bulk import history_rows, history_stamp
from ..generation.writers import NULL, BulkWriter, CopyWriter, bulk_writer, column_default, copy_text
from ..models import Contact, ContactPoint, ContactPointKind, ExternalId, Organisation, SourceKind, Tag, search_key
from .validation import Candidate

Row = dict[str, Any]


def _blank_row(model: type[models.Model], now: datetime) -> Row:
    """Every concrete column with the value a new instance would get (history rows copy them all)."""
    return {f.attname: column_default(f, now) for f in model._meta.concrete_fields if not f.primary_key}


@dataclass
class Reserved:
    """Ids drawn ahead for a chunk's new contacts, their points and external ids, in the order they are written."""

    contacts: list[int]
    points: list[int]
    external_ids: list[int]


class ChunkWriter:
    def __init__(self, *, actor: Actor, now: datetime, owner_id: int | None, reason: str, system: str) -> None:
        self.bulk: BulkWriter = bulk_writer()
        self.copier = self.bulk if isinstance(self.bulk, CopyWriter) else None
        self._tables: dict[tuple[Any, ...], _Table] = {}
        self.actor = actor
        self.now = now
        self.owner_id = owner_id
        self.reason = reason[:100]
        self.system = system
        self._blank: dict[type[models.Model], Row] = {}
        self._stamp: Row = {**history_stamp(actor, reason=self.reason), "history_date": now}
        # Names repeat a lot in a file (first names above all): their search keys are computed once per run.
        # The cache holds names (personal data), so it lives and dies with the run, not with the worker process.
        self._search_key = functools.lru_cache(maxsize=100_000)(search_key)

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
        self.bulk.insert(
            model.history.model,  # type: ignore[attr-defined]
            history_rows(model, rows, actor=self.actor, date_field="created_at", reason=self.reason),
        )

    # ------------------------------------------------------------------ referenced rows

    def organisations(self, names: Iterable[str]) -> dict[str, int]:
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
        if missing:
            rows = self._rows(Organisation, missing)
            self._insert_tracked(Organisation, rows)
            found.update({row["name_key"]: row["id"] for row in rows})
        return found

    def tags(self, names: Iterable[str]) -> dict[str, int]:
        """lower-cased name -> tag id, matching existing tags whatever their case, created if missing."""
        wanted = {name.lower(): name for name in names}
        if not wanted:
            return {}
        found = dict(
            Tag.objects.annotate(lowered=Lower("name")).filter(lowered__in=wanted).values_list("lowered", "id")
        )
        missing = [{"name": wanted[key]} for key in wanted if key not in found]
        if missing:
            rows = self._rows(Tag, missing)
            self._insert_tracked(Tag, rows)
            found.update({row["name"].lower(): row["id"] for row in rows})
        return found

    # ------------------------------------------------------------------ contacts

    def reserve(self, candidates: Sequence[Candidate]) -> Reserved | None:
        """Ids for the candidates' contacts, points and external ids, drawn from their sequences now, on any thread.

        A sequence hands each value out once, inside a transaction or not, so ids
        drawn before the chunk's transaction serve as well as ids drawn in it (a
        failed chunk leaves a gap either way), and the transaction does not wait
        for them. None where the insert itself gives the ids (bulk_create).
        """
        if self.copier is None or not candidates:
            return None
        points = sum(len(c.emails) + len(c.phones) for c in candidates)
        external_ids = sum(1 for c in candidates if c.external_id)
        return Reserved(
            contacts=self.copier.next_ids(Contact, len(candidates)),
            points=self.copier.next_ids(ContactPoint, points) if points else [],
            external_ids=self.copier.next_ids(ExternalId, external_ids) if external_ids else [],
        )

    def contacts(
        self,
        candidates: Sequence[Candidate],
        *,
        organisation_ids: dict[str, int],
        tag_ids: dict[str, int],
        reserved: Reserved | None = None,
    ) -> list[int]:
        """Insert the candidates as new contacts with their points, external ids and tags; return their ids.

        The ids are `reserved`'s when given (see `reserve`), else drawn here.
        """
        reserved = reserved or self.reserve(candidates)
        contacts = self._table(
            Contact,
            CONTACT_COLUMNS,
            {"owner_id": self.owner_id, "source": SourceKind.IMPORT, "collected_at": self.now},
            nullable=("organisation_id", "birth_date"),
        )
        defaults = {
            name: Contact._meta.get_field(name).get_default() for name in ("kind", "status", "preferred_language")
        }
        contact_rows = [self._contact_row(c, organisation_ids, defaults) for c in candidates]
        if reserved:
            for row, pk in zip(contact_rows, reserved.contacts, strict=True):
                row[0] = pk
        ids = contacts.insert(contact_rows, self.copier)
        points = self._table(ContactPoint, POINT_COLUMNS, {})
        point_rows: list[list[Any]] = []
        external_rows: list[list[Any]] = []
        tag_links: list[Row] = []
        encrypt_value = encrypt
        point_ids = iter(reserved.points) if reserved else itertools.repeat(None)
        external_ids = iter(reserved.external_ids) if reserved else itertools.repeat(None)
        for contact_id, candidate in zip(ids, candidates, strict=True):
            for kind, values, indexes in (
                (ContactPointKind.EMAIL, candidate.emails, candidate.email_indexes),
                (ContactPointKind.PHONE, candidate.phones, candidate.phone_indexes),
            ):
                primary = True
                for value, index in zip(values, indexes, strict=True):
                    point_rows.append(
                        [next(point_ids), contact_id, kind, Ciphertext(encrypt_value(value)), index, primary]
                    )
                    primary = False
            if candidate.external_id:
                external_rows.append([next(external_ids), contact_id, candidate.external_id])
            tag_links += [{"contact_id": contact_id, "tag_id": tag_ids[name.lower()]} for name in candidate.tags]
        points.insert(point_rows, self.copier)
        self._table(ExternalId, EXTERNAL_ID_COLUMNS, {"system": self.system}).insert(external_rows, self.copier)
        if tag_links:
            self.bulk.insert(Contact.tags.through, tag_links)
        return ids

    def _table(self, model: type[models.Model], given: Sequence[str], constants: Row, **options: Any) -> _Table:
        key = (model, tuple(given))
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = _Table(model, given, constants, self.now, self._stamp, **options)
        return table

    def _contact_row(self, candidate: Candidate, organisation_ids: dict[str, int], defaults: Row) -> list[Any]:
        fields = candidate.fields
        get = fields.get
        first, last = fields["first_name"], fields["last_name"]
        key = self._search_key
        notes = get("notes") or ""
        return [
            None,
            first,
            last,
            get("kind") or defaults["kind"],
            get("status") or defaults["status"],
            organisation_ids.get(key(candidate.organisation)) if candidate.organisation else None,
            get("job_title", ""),
            get("preferred_language") or defaults["preferred_language"],
            get("birth_date"),
            get("street", ""),
            get("postal_code", ""),
            get("city", ""),
            get("country", ""),
            Ciphertext(encrypt(notes)) if notes else "",
            get("source_detail", ""),
            key(first),
            key(last),
        ]


# Columns an import fills per row, in the order the row lists hold them; every other column takes
# a constant (the provenance, the chunk's timestamp, the field's default). The history tables
# copy the same values, minus the columns they leave out (the search keys).
CONTACT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation_id",
    "job_title",
    "preferred_language",
    "birth_date",
    "street",
    "postal_code",
    "city",
    "country",
    "notes",
    "source_detail",
    "first_name_key",
    "last_name_key",
)
POINT_COLUMNS = ("id", "contact_id", "kind", "value", "value_index", "is_primary")
EXTERNAL_ID_COLUMNS = ("id", "contact_id", "value")


class _Table:
    """A tracked table written from row lists: `given` columns per row, constants for every other column.

    On PostgreSQL the rows go out through the CopyWriter's COPY, ids drawn from
    the table's sequence, each row followed by the pre-rendered constants (no
    per-value conversion); elsewhere through bulk_create. Each inserted row
    gets its "+" history row, built from the same list.
    """

    def __init__(
        self,
        model: type[models.Model],
        given: Sequence[str],
        constants: Row,
        now: datetime,
        stamp: Row,
        *,
        nullable: Sequence[str] = (),
        history: bool = True,
    ) -> None:
        self.model = model
        self.given = list(given)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        others = [f for name, f in fields.items() if name not in self.given and not f.primary_key]
        self.constants = {
            f.attname: constants[f.attname] if f.attname in constants else column_default(f, now) for f in others
        }
        self.columns = [fields[name].column for name in self.given] + [f.column for f in others]
        self.tail = [copy_text(f, self.constants[f.attname]) for f in others]
        self.nullable = [self.given.index(name) for name in nullable]
        self.history: _Table | None = None
        if history:
            history_model = model.history.model  # type: ignore[attr-defined]
            kept = {f.attname for f in history_model._meta.concrete_fields}
            positions = [index for index, name in enumerate(self.given) if name in kept]
            self.history_rows = operator.itemgetter(*positions)
            history_constants = {**{k: v for k, v in self.constants.items() if k in kept}, **stamp}
            self.history = _Table(
                history_model,
                [self.given[index] for index in positions],
                history_constants,
                now,
                stamp,
                nullable=[name for name in nullable if name in kept],
                history=False,
            )

    def insert(self, rows: list[list[Any]], copier: CopyWriter | None) -> list[int]:
        """Insert the rows and their history; return the ids (the rows' first items, assigned here when None)."""
        if not rows:
            return []
        if copier is not None and self.given[0] == self.model._meta.pk.attname and rows[0][0] is None:
            for row, pk in zip(rows, copier.next_ids(self.model, len(rows)), strict=True):
                row[0] = pk
        self._write(rows, copier)
        if self.history is not None:
            self.history._write([list(self.history_rows(row)) for row in rows], copier)
        return [row[0] for row in rows]

    def _write(self, rows: list[list[Any]], copier: CopyWriter | None) -> None:
        if copier is None:
            objects = [self.model(**dict(zip(self.given, row, strict=True)), **self.constants) for row in rows]
            created = self.model._default_manager.bulk_create(objects, batch_size=2_000)
            if self.given[0] == self.model._meta.pk.attname:
                for row, instance in zip(rows, created, strict=True):
                    row[0] = instance.pk
            return
        tail, nullable = self.tail, self.nullable
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if nullable:
            for row in rows:
                line = row + tail
                for index in nullable:
                    if line[index] is None:
                        line[index] = NULL
                writer.writerow(line)
        else:
            writer.writerows(row + tail for row in rows)
        buffer.seek(0)
        copier.copy(self.model._meta.db_table, self.columns, buffer)
