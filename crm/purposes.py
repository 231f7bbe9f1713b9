"""Where the purposes an export may name come from (CON-02, REG-09).

crm knows no purpose of its own: the record of processing activities, to its
right, registers a source from its AppConfig.ready() with `register(source)`,
where `source()` returns (value, label) pairs of the approved activities. With
a source registered the export form asks for one of them, or for "other" with
the purpose written out; without one the purpose stays free text.
"""

from __future__ import annotations

from collections.abc import Callable

PurposeSource = Callable[[], list[tuple[str, str]]]
OTHER = "other"
_sources: list[PurposeSource] = []


def register(source: PurposeSource) -> PurposeSource:
    if source not in _sources:
        _sources.append(source)
    return source


def purpose_choices() -> list[tuple[str, str]] | None:
    """The purposes to choose from, or None when no app provides any."""
    if not _sources:
        return None
    return [choice for source in _sources for choice in source()]
