"""`field__any_of=Ids([...])`: a batch of thousands of keys as one array parameter.

Registered on every field when this module is imported (core's AppConfig.ready
imports it): the retention engine's purges and the consent check's batch lookups
use it.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def int_array(values: list[int]) -> str:
    """A PostgreSQL array literal of integers ("{1,2,3}")."""
    return "{" + ",".join(map(str, values)) + "}"


class Ids:
    """A batch of primary keys for `__any_of`: not a list, so the ORM does not resolve it element by element."""

    def __init__(self, values: list[Any]) -> None:
        self.values = list(values.values if isinstance(values, Ids) else values)
        self.integers = all(type(value) is int for value in self.values)
        self.literal = int_array(self.values) if self.integers else ""

    def __len__(self) -> int:
        return len(self.values)


class AnyOf(models.Lookup):
    """`field__any_of=Ids([...])`: `= ANY('{...}'::bigint[])` on PostgreSQL, `IN (...)` elsewhere.

    A batch is thousands of ids: as one array literal instead of thousands of
    parameters, the statements of a batch cost the database's time, not the
    driver's or the ORM's.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Ids:
        return self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "", []

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids: Ids = self.rhs
        if connection.vendor == "postgresql" and ids.integers:
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids.literal]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, ids.values]
        placeholders = ", ".join(["%s"] * len(ids)) or "NULL"
        return f"{lhs} IN ({placeholders})", [*lhs_params, *ids.values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)
