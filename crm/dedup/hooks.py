"""How apps to the right of `crm` take part in a merge without `crm` importing them.

A merge re-points every row the subject-data map reaches directly (a foreign
key to the contact) from the merged-away contact to the survivor, one save per
row so that the history shows it. A model whose rows may not simply move (the
append-only consent events, the state derived from them) registers a handler
instead: it is called inside the merge's transaction and returns the ids of
the rows it wrote, which undo hands back to its `undo` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from ..models import Contact, ContactMerge


@dataclass(frozen=True)
class MergeHandler:
    merge: Callable[[ContactMerge, Contact, Contact], list[int]]  # (merge, survivor, merged) -> ids written
    undo: Callable[[ContactMerge, list[int]], None]  # (merge, the ids `merge` returned)


_handlers: dict[str, MergeHandler] = {}
# Run after every row has moved (a derived state recomputed from the survivor's rows).
_after_merge: list[Callable[[Contact], None]] = []


def register_merge_handler(model: type[models.Model], handler: MergeHandler) -> None:
    _handlers[model._meta.label] = handler


def register_after_merge(callback: Callable[[Contact], None]) -> None:
    if callback not in _after_merge:
        _after_merge.append(callback)


def merge_handler(model: type[models.Model]) -> MergeHandler | None:
    return _handlers.get(model._meta.label)


def after_merge_callbacks() -> list[Callable[[Contact], None]]:
    return list(_after_merge)
