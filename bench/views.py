"""The bench's baseline views, served beside the project's URLs by `bench.urls`.

- `baseline_list` / `baseline_detail`: a bare view over the same rows as the contact list and
  detail (the contacts' own columns as `.values()`, their e-mails and phones decrypted in one
  more query, a JsonResponse), behind the same middleware and the same access rule (`restrict`).
- `no_database`: a request that touches no database (asked without a session cookie).
- `gc_stats`: the answering worker's collector state and the pauses it has measured
  (`record_gc_pauses`, which `bench.wsgi` turns on).
"""

from __future__ import annotations

import gc
import json
import os
import time
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

FIELDS = (
    "id",
    "first_name",
    "last_name",
    "kind",
    "status",
    "organisation_id",
    "job_title",
    "preferred_language",
    "city",
    "country",
    "owner_id",
    "notes",
    "source",
    "collected_at",
    "last_interaction_at",
    "created_at",
    "updated_at",
)
PAGE = 50


def _with_points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from crm.models import ContactPoint

    by_contact: dict[int, dict[str, list[str]]] = {row["id"]: {"emails": [], "phones": []} for row in rows}
    points = ContactPoint.objects.filter(contact_id__in=list(by_contact)).order_by("-is_primary", "id")
    for contact_id, kind, value in points.values_list("contact_id", "kind", "value"):
        by_contact[contact_id]["emails" if kind == "email" else "phones"].append(value)
    return [{**row, **by_contact[row["id"]]} for row in rows]


def _name_ordered(contacts: Any, after: str | None) -> Any:
    """Name order as the list walks it (bytewise keys, then id), from after a (last, first, id) position."""
    from django.db import connection

    from crm.keyset import bytewise

    contacts = contacts.alias(last_key=bytewise("last_name_key"), first_key=bytewise("first_name_key"))
    contacts = contacts.order_by("last_key", "first_key", "id")
    if after:
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        row = f"(crm_contact.last_name_key{collate}, crm_contact.first_name_key{collate}, crm_contact.id)"
        contacts = contacts.extra(where=[f"{row} > (%s, %s, %s)"], params=json.loads(after))
    return contacts


def baseline_list(request: HttpRequest) -> JsonResponse:
    """A page of 50: by id descending (`?before=<id>`), or by name (`?order=name&after=[last, first, id]`);
    `?email=` or `?q=` filter like the real views."""
    from crm.models import Contact

    contacts = Contact.objects.restrict(request.user, "view")
    if "email" in request.GET:
        contacts = contacts.with_email(request.GET["email"])
    if "q" in request.GET:
        contacts = contacts.search(request.GET["q"])
    if request.GET.get("order") == "name":
        contacts = _name_ordered(contacts, request.GET.get("after"))
    else:
        contacts = contacts.order_by("-id")
        if "before" in request.GET:
            contacts = contacts.filter(id__lt=int(request.GET["before"]))
    return JsonResponse({"results": _with_points(list(contacts.values(*FIELDS)[:PAGE]))})


def baseline_detail(request: HttpRequest, pk: int) -> JsonResponse:
    from crm.models import Contact

    row = Contact.objects.restrict(request.user, "view").filter(pk=pk).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(_with_points([row])[0])


def no_database(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class GcPauses:
    """Collections this process ran, by generation: count, total and longest pause (ms)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.by_generation: dict[int, list[float]] = {0: [0, 0.0, 0.0], 1: [0, 0.0, 0.0], 2: [0, 0.0, 0.0]}

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
            return
        pause = (time.perf_counter() - self.started) * 1000
        counts = self.by_generation[info["generation"]]
        counts[0] += 1
        counts[1] += pause
        counts[2] = max(counts[2], pause)

    def report(self) -> dict[str, Any]:
        return {
            str(generation): {"count": count, "total_ms": round(total, 2), "max_ms": round(longest, 2)}
            for generation, (count, total, longest) in self.by_generation.items()
        }

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


GC_PAUSES = GcPauses()


def record_gc_pauses() -> None:
    """Measure every collection of this process (and of its forks, each from zero)."""
    if GC_PAUSES not in gc.callbacks:
        gc.callbacks.append(GC_PAUSES)
        os.register_at_fork(after_in_child=GC_PAUSES.reset)


def gc_stats(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "pid": os.getpid(),
            "frozen": gc.get_freeze_count(),
            "threshold": list(gc.get_threshold()),
            "pauses": GC_PAUSES.report(),
        }
    )


def bare_page(request: HttpRequest) -> HttpResponse:
    """The staff layout (base.html) with an empty page, behind the same middleware and session: what any page costs."""
    return render(request, "base.html", {})
