"""Server time of the contact pages and API, in-process, logged in as the DPO.

Each figure is the time of a full request through the middleware stack with
`django.test.Client` (no network, no web server). The baseline is a bare view
returning `.values()` of the same queryset as a JsonResponse, timed the same
way through the same stack: the ratio is what serializers, templates and
pagination add.
"""

from __future__ import annotations

import base64
import inspect
import random
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

FIELDS = ("id", "first_name", "last_name", "email", "phone", "notes", "created_at", "updated_at")
PAGE = 50


def baseline_list(request: Any) -> Any:
    """First page, or the page below `?before=<id>`: what the API list returns, minus DRF."""
    from django.http import JsonResponse

    from crm.models import Contact

    contacts = Contact.objects.restrict(request.user, "view").order_by("-id")
    if "before" in request.GET:
        contacts = contacts.filter(id__lt=int(request.GET["before"]))
    return JsonResponse({"results": list(contacts.values(*FIELDS)[:PAGE])})


def baseline_detail(request: Any, pk: int) -> Any:
    from django.http import Http404, JsonResponse

    from crm.models import Contact

    row = Contact.objects.restrict(request.user, "view").filter(pk=pk).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


class BenchUrls:
    """The project's URLs plus the two baseline views (a URLconf may be any object with `urlpatterns`)."""

    urlpatterns: list[Any] = []

    @classmethod
    def build(cls) -> type[BenchUrls]:
        from django.urls import path

        from config.urls import urlpatterns

        cls.urlpatterns = [
            path("__bench__/contacts/", baseline_list),
            path("__bench__/contacts/<int:pk>/", baseline_detail),
            *urlpatterns,
        ]
        return cls


def drf_cursor(position: int) -> str:
    """The cursor DRF's CursorPagination puts in `next` for "the rows after id `position`"."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def _sample_ids(count: int, rng: random.Random) -> list[int]:
    from django.db.models import Max, Min

    from crm.models import Contact

    bounds = Contact.objects.aggregate(low=Min("id"), high=Max("id"))
    candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 3)}
    return list(Contact.objects.filter(id__in=candidates).values_list("id", flat=True)[:count])


def main(contacts: int | None = None, *, repeat: int = 50) -> common.Report:
    from django.test import Client
    from django.test.utils import override_settings

    from core.roles import DPO
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    client = Client()
    client.force_login(common.staff_user("dpo", DPO))
    rng = random.Random(7)
    ids = _sample_ids(max(repeat, 10), rng)
    total = Contact.objects.count()
    middle = Contact.objects.order_by("-id").values_list("id", flat=True)[total // 2]

    def cycling(urls: list[str]) -> Any:
        state = {"i": 0}

        def get() -> None:
            url = urls[state["i"] % len(urls)]
            state["i"] += 1
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if "json" in response.get("Content-Type", ""):
                response.json()

        return get

    cases = [
        ("API list, first page", ["/api/v1/contacts/"], ["/__bench__/contacts/"]),
        (
            "API list, deep page (cursor at the middle)",
            [f"/api/v1/contacts/?cursor={drf_cursor(middle)}"],
            [f"/__bench__/contacts/?before={middle}"],
        ),
        ("API detail", [f"/api/v1/contacts/{pk}/" for pk in ids], [f"/__bench__/contacts/{pk}/" for pk in ids]),
        ("HTML list, first page", ["/contacts/"], ["/__bench__/contacts/"]),
        (
            "HTML list, middle page (?page=, offset)",
            [f"/contacts/?page={max(1, total // PAGE // 2)}"],
            [f"/__bench__/contacts/?before={middle}"],
        ),
        ("HTML detail", [f"/contacts/{pk}/" for pk in ids], [f"/__bench__/contacts/{pk}/" for pk in ids]),
    ]
    metrics = []
    with override_settings(ROOT_URLCONF=BenchUrls.build()):
        response = client.get(cases[1][1][0])
        assert len(response.json()["results"]) == min(PAGE, total - total // 2 - 1), "deep cursor page is short"
        for name, urls, baseline_urls in cases:
            queries = common.count_queries(cycling(urls))
            samples = common.time_calls(cycling(urls), repeat=repeat)
            baseline = common.time_calls(cycling(baseline_urls), repeat=repeat)
            metrics.append(common.Metric(name, samples, baseline, note=f"{queries} queries"))
    return common.Report(
        title="Contacts: pages and API",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=[f"{repeat} requests per figure over {total:,} contacts; page size {PAGE}."],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
