"""Where contact creation and imports ask whether an address is on the suppression list (CON-11).

crm holds no suppression list of its own: the consent app, to its right,
registers a checker from its AppConfig.ready() with `register(checker)`, where
`checker(kind, indexes)` returns the blind indexes among `indexes` that are
suppressed. Without one, nothing is suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Checker = Callable[[str, list[str]], set[str]]
_checkers: list[Checker] = []


def register(checker: Checker) -> Checker:
    if checker not in _checkers:
        _checkers.append(checker)
    return checker


def suppressed_indexes(kind: str, indexes: Iterable[str]) -> set[str]:
    wanted = [index for index in indexes if index]
    if not wanted:
        return set()
    return {index for checker in _checkers for index in checker(kind, wanted)}


def contact_is_suppressed(contact: Any) -> bool:
    """Whether one of the contact's e-mail addresses or phone numbers is on the suppression list."""
    by_kind: dict[str, list[str]] = {}
    for kind, index in contact.points.values_list("kind", "value_index"):
        by_kind.setdefault(kind, []).append(index)
    return any(suppressed_indexes(kind, indexes) for kind, indexes in by_kind.items())
