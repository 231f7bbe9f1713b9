"""Bulk inserts of generated rows: COPY on PostgreSQL (psycopg2), bulk_create elsewhere."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TextIO

from django.db import connection, models
from django.utils import timezone

Row = dict[str, Any]


class BulkWriter(Protocol):
    def insert(self, model: type[models.Model], rows: list[Row], *, assign_ids: bool = False) -> None:
        """Insert `rows` (attname -> value); with `assign_ids`, set each row's primary key."""


NULL = r"\N"  # how COPY (FORMAT csv) is told a value is NULL
_PLAIN_TYPES = (
    models.CharField,
    models.EmailField,
    models.TextField,
    models.SlugField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a Python value becomes COPY text for this column (None: as it is)."""
    kind = type(field)
    if kind in _PLAIN_TYPES:
        return None
    if kind in (models.DateTimeField, models.DateField):
        return lambda value: value.isoformat()
    if isinstance(field, models.JSONField):
        return json.dumps

    def prepare(value: Any) -> Any:
        prepared = field.get_db_prep_save(value, connection)
        return prepared if isinstance(prepared, str | int | float) else str(prepared)

    return prepare


def copy_text(field: models.Field, value: Any) -> Any:
    """One value as COPY text for this column (for a constant; `CopyWriter.insert` plans its conversions once)."""
    if value is None:
        return NULL
    convert = _converter(field)
    return value if convert is None else convert(value)


def _is_auto_date(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def column_default(field: models.Field, now: datetime) -> Any:
    """The value of a column the generator does not know about (a field added later)."""
    if _is_auto_date(field):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"no generated value for {field.model.__name__}.{field.name}: teach crm.generation about it")


class CopyWriter:
    """PostgreSQL: one COPY per call from an in-memory CSV; ids drawn from the table's sequence."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def insert(self, model: type[models.Model], rows: list[Row], *, assign_ids: bool = False) -> None:
        if not rows:
            return
        pk = model._meta.pk
        if assign_ids:
            for row, pk_value in zip(rows, self.next_ids(model, len(rows)), strict=True):
                row[pk.attname] = pk_value
        fields = [f for f in model._meta.concrete_fields if f is not pk or assign_ids or pk.attname in rows[0]]
        known = rows[0].keys()
        plan = [(f.attname, _converter(f), None if f.attname in known else column_default(f, self.now)) for f in fields]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows(_values(row, plan) for row in rows)
        buffer.seek(0)
        self.copy(model._meta.db_table, [f.column for f in fields], buffer)

    def copy(self, table: str, columns: Sequence[str], buffer: TextIO) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, buffer)

    def next_ids(self, model: type[models.Model], count: int) -> list[int]:
        sql = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"
        with connection.cursor() as cursor:
            cursor.execute(sql, [model._meta.db_table, model._meta.pk.column, count])
            return [pk_value for (pk_value,) in cursor.fetchall()]


def _values(row: Row, plan: list[tuple[str, Callable[[Any], Any] | None, Any]]) -> list[Any]:
    out = []
    for name, convert, fallback in plan:
        value = row.get(name, fallback)
        if value is None:
            out.append(NULL)
        elif convert is None:
            out.append(value)
        else:
            out.append(convert(value))
    return out


class OrmWriter:
    """Other databases (the embedded SQLite): bulk_create; auto_now fields take the current time."""

    def __init__(self, batch_size: int = 2000) -> None:
        self.batch_size = batch_size

    def insert(self, model: type[models.Model], rows: list[Row], *, assign_ids: bool = False) -> None:
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=self.batch_size)
        auto = [f.attname for f in model._meta.concrete_fields if f.primary_key or _is_auto_date(f)]
        for row, obj in zip(rows, objs, strict=True):
            row.update({name: getattr(obj, name) for name in auto})


def bulk_writer() -> BulkWriter:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if hasattr(cursor.cursor, "copy_expert"):  # psycopg2
                return CopyWriter()
    return OrmWriter()


def analyze(*model_classes: type[models.Model]) -> None:
    """Refresh planner statistics after a bulk load (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in model_classes))
