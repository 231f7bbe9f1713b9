"""The figures store: dashboard numbers computed by a job, read by pages in one query.

Counting a million contacts takes tens of milliseconds per count; the dashboard
and the home page show a dozen such numbers. Each app registers its figures from
its AppConfig.ready():

    figures.register("crm.contact_count", lambda: Contact.objects.count())

A figure is any JSON value (a count, a per-month series, a short list). The beat
task `core.tasks.refresh_figures` recomputes every figure every few minutes
(FIGURES_REFRESH_SECONDS); a service that changes a figure cheaply may refresh it
at once with `figures_refresh(keys=[...])`. Pages read with `figures_read`: one
query for every key, each reading carrying when it was computed so that the page
says how fresh it is. A figure never computed yet (a new installation, a new
figure) is computed on first read.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from .models import Figure

logger = logging.getLogger(__name__)

Compute = Callable[[], Any]
_computations: dict[str, Compute] = {}
_intervals: dict[str, int] = {}
_defaults: dict[str, Any] = {}
DEFAULT_EVERY_SECONDS = 300


@dataclass(frozen=True)
class Reading:
    key: str
    value: Any
    computed_at: datetime | None  # None: not computed yet (the registered default)


def register(key: str, compute: Compute, *, every: int = DEFAULT_EVERY_SECONDS, default: Any = None) -> Compute:
    """Declare the figure `key`, computed by `compute()` (a JSON-serialisable value) at most every `every` s.

    A figure too slow to compute during a request (minutes over a large base) gives a `default`: until the
    job has computed it once, pages read the default (with no computation time) and the job is asked to run.
    """
    _computations[key] = compute
    _intervals[key] = every
    if default is not None:
        _defaults[key] = default
    return compute


def registered_keys() -> list[str]:
    return sorted(_computations)


def figures_refresh(*, keys: Iterable[str] | None = None) -> list[str]:
    """Recompute the figures `keys` (all of them by default) and store them; returns the keys refreshed.

    Each figure is written on its own, so a figure whose computation fails keeps its
    previous value (and its older `computed_at`, which the page shows) and the others
    still refresh.
    """
    refreshed = []
    for key in sorted(keys) if keys is not None else registered_keys():
        compute = _computations.get(key)
        if compute is None:
            continue
        started = time.perf_counter()
        try:
            value = compute()
        except Exception:  # a broken figure must not stop the others; its age shows it
            logger.exception("figure %s failed", key)
            continue
        elapsed = round((time.perf_counter() - started) * 1000)
        Figure.objects.update_or_create(
            key=key, defaults={"value": value, "computed_at": timezone.now(), "compute_ms": elapsed}
        )
        refreshed.append(key)
    return refreshed


def figures_refresh_due(*, now: datetime | None = None) -> list[str]:
    """Refresh the figures older than their interval (or never computed): what the beat task runs."""
    now = now or timezone.now()
    computed = dict(Figure.objects.values_list("key", "computed_at"))
    # A little slack, so that a figure due at the next tick is not left for one more interval.
    due = [
        key
        for key in registered_keys()
        if key not in computed or (now - computed[key]).total_seconds() >= _intervals[key] * 0.9
    ]
    return figures_refresh(keys=due)


# Inside `snapshot()` (one page's rendering), every figure is read once, in one query, and live values that
# several panels and alerts share (`shared`) are computed once.
_snapshot: ContextVar[dict[str, Any] | None] = ContextVar("figures_snapshot", default=None)


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    rows = Figure.objects.values_list("key", "value", "computed_at")
    token = _snapshot.set({"readings": {key: Reading(key, value, at) for key, value, at in rows}, "shared": {}})
    try:
        yield
    finally:
        _snapshot.reset(token)


def shared(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, once per snapshot (a live value that a panel and an alert both show); uncached outside one."""
    state = _snapshot.get()
    if state is None:
        return compute()
    if name not in state["shared"]:
        state["shared"][name] = compute()
    return state["shared"][name]


def figures_read(keys: Iterable[str]) -> dict[str, Reading]:
    """The stored readings of `keys` in one query; a registered key never computed yet is computed now."""
    wanted = list(keys)
    state = _snapshot.get()
    if state is not None and all(key in state["readings"] for key in wanted):
        return {key: state["readings"][key] for key in wanted}
    rows = Figure.objects.filter(key__in=wanted).values_list("key", "value", "computed_at")
    readings = {key: Reading(key, value, computed_at) for key, value, computed_at in rows}
    missing = [key for key in wanted if key not in readings and key in _computations]
    slow = [key for key in missing if key in _defaults]
    if slow:
        _ask_the_job()
        readings.update({key: Reading(key, _defaults[key], None) for key in slow})
        missing = [key for key in missing if key not in _defaults]
    if missing:
        figures_refresh(keys=missing)
        rows = Figure.objects.filter(key__in=missing).values_list("key", "value", "computed_at")
        readings.update({key: Reading(key, value, computed_at) for key, value, computed_at in rows})
    return readings


def figure_value(key: str, default: Any = None) -> Any:
    reading = figures_read([key]).get(key)
    return default if reading is None else reading.value


def oldest(readings: Iterable[Reading]) -> datetime | None:
    """When the oldest of `readings` was computed: what a panel says about its freshness."""
    times = [reading.computed_at for reading in readings if reading.computed_at is not None]
    return min(times) if times else None


def _ask_the_job() -> None:
    """Queue the figures job (after the transaction): a slow figure never computed yet is computed there."""
    from django.db import transaction

    from .tasks import refresh_figures

    transaction.on_commit(refresh_figures.delay)
