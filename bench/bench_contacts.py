"""Server time of the contact pages and API, in-process, logged in as the DPO (and once as a Sales user).

Each figure is the time of a full request through the middleware stack with
`django.test.Client` (no network, no web server), DEBUG off. The baseline is a
bare view over the same rows, timed the same way through the same stack: the
contacts' own columns as `.values()` in the same order, plus their e-mails and
phones (decrypted) in one more query, returned as a JsonResponse. The ratio is
what serializers, filters, templates, pagination and access logging add.
Deep pages start from a cursor standing on the middle row of the order.
"""

from __future__ import annotations

import inspect
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common
from bench.views import PAGE

SMOKE_ARGS = {"repeat": 5}  # tests/bench/test_smoke.py
NAME_PREFIXES = ["mar", "dub", "smi", "le", "tho", "ber"]
# The staff list's query parameters (crm/views): its cursor, its search box.
LIST_CURSOR_PARAM = "cursor"
Case = tuple[str, list[str], list[str], str]  # name, URLs, baseline URLs, who asks ("dpo" or "sales")


# --------------------------------------------------------------------------- the data the cases ask for


def _cursor(order: Any, row: Any) -> str:
    """The cursor a page's `next` link carries when `row` is its last row."""
    from crm import keyset

    return keyset._cursor_encode(order, row, backwards=False)


class Sample:
    """Ids, e-mails and middle rows of the contacts the DPO sees, drawn once per run."""

    def __init__(self, user: Any, count: int, rng: random.Random) -> None:
        from django.db.models import Max, Min

        from crm.models import Contact
        from crm.selectors import CONTACT_ORDERS

        visible = Contact.objects.restrict(user, "view")
        self.total = visible.count()
        bounds = visible.aggregate(low=Min("id"), high=Max("id"))
        candidates = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count * 3)}
        contacts = list(visible.filter(id__in=candidates).prefetch_related("points")[:count])
        self.ids = [contact.pk for contact in contacts]
        with_email = [contact for contact in contacts if contact.primary_email]
        self.emails = [contact.primary_email for contact in with_email]
        self.email_ids = [contact.pk for contact in with_email]
        middle = self.total // 2
        self.middle_by_id = visible.order_by("-id")[middle]
        name_order = CONTACT_ORDERS["name"]
        by_name = name_order.prepare(visible).order_by(*name_order.order_by())
        self.middle_by_name, self.after_middle_by_name = list(by_name[middle : middle + 2])
        self.name_position = json.dumps(
            [self.middle_by_name.last_name_key, self.middle_by_name.first_name_key, self.middle_by_name.pk]
        )


def cases(sample: Sample) -> list[Case]:
    from crm.api.views import ContactViewSet
    from crm.selectors import CONTACT_ORDERS

    api_cursor = _cursor(ContactViewSet.keyset_orders[ContactViewSet.keyset_default], sample.middle_by_id)
    list_cursor = _cursor(CONTACT_ORDERS["name"], sample.middle_by_name)
    emails = sample.emails
    return [
        ("API list, first page", ["/api/v1/contacts/"], ["/__bench__/contacts/"], "dpo"),
        (
            "API list, deep page (cursor at the middle)",
            [f"/api/v1/contacts/?{urlencode({'cursor': api_cursor})}"],
            [f"/__bench__/contacts/?before={sample.middle_by_id.pk}"],
            "dpo",
        ),
        (
            "API search by exact email (?email=)",
            [f"/api/v1/contacts/?{urlencode({'email': email})}" for email in emails],
            [f"/__bench__/contacts/?{urlencode({'email': email})}" for email in emails],
            "dpo",
        ),
        (
            "API detail",
            [f"/api/v1/contacts/{pk}/" for pk in sample.ids],
            [f"/__bench__/contacts/{pk}/" for pk in sample.ids],
            "dpo",
        ),
        ("HTML list, first page", ["/contacts/"], ["/__bench__/contacts/?order=name"], "dpo"),
        (
            "HTML list, deep page (cursor at the middle)",
            [f"/contacts/?{urlencode({LIST_CURSOR_PARAM: list_cursor})}"],
            [f"/__bench__/contacts/?{urlencode({'order': 'name', 'after': sample.name_position})}"],
            "dpo",
        ),
        (
            "HTML search by exact email (?q=)",
            [f"/contacts/?{urlencode({'q': email})}" for email in emails],
            [f"/__bench__/contacts/?{urlencode({'email': email})}" for email in emails],
            "dpo",
        ),
        (
            "HTML search by name prefix (?q=)",
            [f"/contacts/?{urlencode({'q': prefix})}" for prefix in NAME_PREFIXES],
            [f"/__bench__/contacts/?{urlencode({'q': prefix, 'order': 'name'})}" for prefix in NAME_PREFIXES],
            "dpo",
        ),
        (
            "HTML detail",
            [f"/contacts/{pk}/" for pk in sample.ids],
            [f"/__bench__/contacts/{pk}/" for pk in sample.ids],
            "dpo",
        ),
        # A Sales user reaches only the contacts they own: another plan (the owner filter).
        ("API list, first page, as a Sales user", ["/api/v1/contacts/"], ["/__bench__/contacts/"], "sales"),
        ("HTML list, first page, as a Sales user", ["/contacts/"], ["/__bench__/contacts/?order=name"], "sales"),
    ]


# --------------------------------------------------------------------------- run


def _cycling(client: Any, urls: list[str]) -> Callable[[], None]:
    state = {"i": 0}

    def get() -> None:
        url = urls[state["i"] % len(urls)]
        state["i"] += 1
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if "json" in response.get("Content-Type", ""):
            response.json()
        else:
            response.content  # noqa: B018 - a streamed page is rendered when read

    return get


def _check_pages_are_what_they_claim(client: Any, sample: Sample, table: list[Case]) -> None:
    """A deep page must start after the middle row and a search must find its contact, or the figure is a lie."""
    urls = {name: urls[0] for name, urls, _, _ in table}
    api_deep = client.get(urls["API list, deep page (cursor at the middle)"]).json()["results"]
    assert api_deep and api_deep[0]["id"] < sample.middle_by_id.pk, "the API ignored the deep cursor"
    assert len(api_deep) == min(PAGE, sample.total - sample.total // 2 - 1), "deep API page is short"
    html_deep = client.get(urls["HTML list, deep page (cursor at the middle)"]).content.decode()
    assert f"/contacts/{sample.after_middle_by_name.pk}/" in html_deep, "the list ignored the deep cursor"
    assert f"/contacts/{sample.middle_by_name.pk}/" not in html_deep, "the list page repeats the cursor row"
    found = client.get(urls["API search by exact email (?email=)"]).json()["results"]
    assert [row["id"] for row in found] == sample.email_ids[:1], "the API's email search missed"
    page = client.get(urls["HTML search by exact email (?q=)"]).content.decode()
    assert f"/contacts/{sample.email_ids[0]}/" in page, "the list's email search missed"


def main(contacts: int | None = None, *, repeat: int = 50) -> common.Report:
    from django.test import Client
    from django.test.utils import override_settings

    from access.roles import DPO
    from crm.models import Contact

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    users = {"dpo": common.staff_user("dpo", DPO), "sales": common.sales_team()[0]}
    clients = {who: Client() for who in users}
    for who, client in clients.items():
        client.force_login(users[who])
    sample = Sample(users["dpo"], max(repeat, 10), random.Random(7))
    table = cases(sample)
    metrics = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        _check_pages_are_what_they_claim(clients["dpo"], sample, table)
        for name, urls, baseline_urls, who in table:
            client = clients[who]
            queries = common.count_queries(_cycling(client, urls))
            samples = common.time_calls(_cycling(client, urls), repeat=repeat)
            baseline = common.time_calls(_cycling(client, baseline_urls), repeat=repeat)
            metrics.append(common.Metric(name, samples, baseline, note=f"{queries} queries"))
    owned = Contact.objects.restrict(users["sales"], "view").count()
    return common.Report(
        title="Contacts: pages and API",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        notes=[
            f"{repeat} requests per figure over the {sample.total:,} contacts the DPO sees; page size {PAGE}. "
            f"The Sales user `{users['sales'].get_username()}` owns {owned:,} of them.",
            f"Searches cycle through {len(sample.emails)} e-mails of random contacts and the name prefixes "
            f"{', '.join(NAME_PREFIXES)}; details through {len(sample.ids)} random contacts.",
            "Targets (issue 3): list and detail under 50 ms median, search by e-mail under 20 ms.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    common.print_report(main())
