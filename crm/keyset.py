"""Keyset ("seek") pagination.

A page is one index range scan whatever its depth: the cursor carries the sort key of the row it stands on
(for example last name key, first name key and id) and the next page starts strictly after it. No COUNT(*),
no OFFSET. The token is encrypted (it would otherwise put names in URLs and server logs) and authenticated,
so a forged or stale one is simply ignored.

The staff lists (crm.selectors) and the REST API (crm.api.pagination) both page this way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.models import F, Model, Q, QuerySet
from django.db.models.functions import Collate

from core import crypto


@dataclass(frozen=True)
class KeysetOrder:
    """A sort order a keyset page can walk: columns in one direction, the last one unique (the id).

    Only the first column may be NULL (`nullable_first`); NULLs then sort last, and a
    walk crosses from the non-NULL rows to the NULL rows with a second index scan
    rather than an OR that no index can serve. Text columns listed in `bytewise`
    compare byte by byte (COLLATE "C" on PostgreSQL, SQLite's default), which is what
    lets one index serve both the order and a prefix search in any database collation.
    """

    name: str
    columns: tuple[str, ...]
    descending: bool = False
    nullable_first: bool = False
    bytewise: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """What the query sorts and seeks on: the columns, or their bytewise aliases."""
        return tuple(f"keyset_{column}" if column in self.bytewise else column for column in self.columns)

    def prepare(self, queryset: QuerySet) -> QuerySet:
        return queryset.alias(**{f"keyset_{column}": bytewise(column) for column in self.bytewise})

    def order_by(self, *, backwards: bool = False) -> list[Any]:
        descending = self.descending != backwards
        terms = []
        for index, term in enumerate(self.terms):
            nulls: dict[str, bool] = {}
            if index == 0 and self.nullable_first:  # NULLs last walking forwards, so first walking backwards
                nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
            terms.append(F(term).desc(**nulls) if descending else F(term).asc(**nulls))
        return terms


def bytewise(column: str) -> Any:
    """`column` compared byte by byte: the form the name index (migration 0003) is built on."""
    return Collate(F(column), "C") if connection.vendor == "postgresql" else F(column)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def _seek(columns: Sequence[str], values: Sequence[Any], greater: bool) -> Q:
    """Rows strictly beyond `values` in the order of (non-NULL) `columns`.

    The leading `first >= value` repeats part of the condition so that PostgreSQL
    starts an index range scan at the cursor instead of filtering from the top.
    """
    strict, loose = ("gt", "gte") if greater else ("lt", "lte")
    first, *rest = columns
    beyond = Q(**{f"{first}__{strict}": values[0]})
    if not rest:
        return beyond
    return Q(**{f"{first}__{loose}": values[0]}) & (beyond | Q(**{first: values[0]}) & _seek(rest, values[1:], greater))


def _walk(queryset: QuerySet, order: KeysetOrder, position: Sequence[Any] | None, backwards: bool, limit: int) -> list:
    """Up to `limit` rows after `position` (None: from the start) in the walking direction."""
    greater = order.descending == backwards
    ordered = order.prepare(queryset).order_by(*order.order_by(backwards=backwards))
    if not order.nullable_first:
        if position is not None:
            ordered = ordered.filter(_seek(order.terms, position, greater))
        return list(ordered[:limit])
    # Two segments: non-NULL rows then NULL rows forwards, the reverse backwards.
    first = order.terms[0]
    segments = [True, False] if backwards else [False, True]  # is-NULL flag of each segment, in walking order
    start = 0 if position is None else segments.index(position[0] is None)
    rows: list[Any] = []
    for index, is_null in enumerate(segments[start:]):
        segment = ordered.filter(**{f"{first}__isnull": is_null})
        if index == 0 and position is not None:
            columns, values = (order.terms[1:], position[1:]) if is_null else (order.terms, position)
            segment = segment.filter(_seek(columns, values, greater))
        rows.extend(segment[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def _cursor_encode(order: KeysetOrder, row: Any, *, backwards: bool) -> str:
    position = []
    for column in order.columns:
        value = getattr(row, column)
        position.append(value.isoformat() if hasattr(value, "isoformat") else value)
    payload = json.dumps({"o": order.name, "p": position, "b": backwards}, separators=(",", ":"))
    return crypto.fernet().encrypt(payload.encode()).decode()


def _cursor_decode(order: KeysetOrder, model: type[Model], token: str) -> tuple[tuple[Any, ...], bool] | None:
    """(position, backwards) from a token of this order; None for a missing, forged or foreign one."""
    if not token:
        return None
    try:
        payload = json.loads(crypto.fernet().decrypt(token.encode()))
        if payload["o"] != order.name or len(payload["p"]) != len(order.columns):
            return None
        position = []
        for index, (column, value) in enumerate(zip(order.columns, payload["p"], strict=True)):
            if value is None and not (index == 0 and order.nullable_first):
                return None
            field = model._meta.get_field(column)
            position.append(None if value is None else field.to_python(value))
        return tuple(position), bool(payload["b"])
    except (InvalidToken, ValueError, TypeError, KeyError, AttributeError, ValidationError, FieldDoesNotExist):
        return None


class InvalidCursor(ValueError):
    """A cursor that is not one of this order's: forged, altered, or from another list or sort."""


def keyset_page(
    queryset: QuerySet,
    order: KeysetOrder,
    *,
    cursor: str = "",
    size: int = 50,
    branches: Sequence[QuerySet] = (),
    strict: bool = False,
) -> KeysetPage:
    """One page of `queryset` in `order`, starting after the row `cursor` stands on (first page without one).

    `next_cursor` / `previous_cursor` are empty when there is no such page. A cursor
    stays valid when rows are added or removed: the page after it is always the rows
    that follow its sort key now. An invalid cursor gives the first page, or raises
    InvalidCursor when `strict` (the API answers 404; the UI starts over).

    `branches`, when given, are querysets whose union holds every row of `queryset`
    (an OR split into parts an index can serve each): the page is read from the
    first rows of each branch, then ordered once more by the database.
    """
    decoded = _cursor_decode(order, queryset.model, cursor)
    if strict and cursor and decoded is None:
        raise InvalidCursor(cursor)
    position, backwards = decoded if decoded is not None else (None, False)
    if branches:
        candidates = {row.pk for branch in branches for row in _walk(branch, order, position, backwards, size + 1)}
        queryset = queryset.filter(pk__in=candidates)
    rows = _walk(queryset, order, position, backwards, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = position is not None, more
    if not rows:  # walked past an end (rows were deleted): offer the first page again
        return KeysetPage(rows=[])
    return KeysetPage(
        rows=rows,
        next_cursor=_cursor_encode(order, rows[-1], backwards=False) if has_next else "",
        previous_cursor=_cursor_encode(order, rows[0], backwards=True) if has_previous else "",
    )
