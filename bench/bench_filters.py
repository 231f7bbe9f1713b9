"""The contact list under every combination of its filters, from very common to very rare, against the bare list.

The staff list (`/contacts/`, name order, first page) is requested in-process with
`django.test.Client`, DEBUG off, for every non-empty combination of its six filters
(status, kind, tag, organisation, owner, Art. 14 notice), each combination twice: with
the most frequent value of each filter ("common") and with the least frequent one
("rare"; the rarest combinations match nothing at all). Once logged in as the DPO (who
sees every contact) and once as a Sales user (who sees only the contacts they own, so
the owner filter picks either themselves or someone else). The baseline is the same
user's unfiltered first page, requested between the combinations, so that it meets
the same load; the ratio is a combination's median over the baseline's median.
"""

from __future__ import annotations

import inspect
import itertools
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

FILTERS = ("status", "kind", "tag", "organisation", "owner", "art14")
SMOKE_ARGS = {"repeat": 1, "subsets": 4, "echo": False}  # tests/bench/test_smoke.py
TARGET_RATIO = 3.0


@dataclass
class Combination:
    filters: dict[str, str]
    variant: str  # "common" or "rare"
    matches: int = 0
    samples: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.filters.items())


def _frequencies(user: Any) -> dict[str, list[tuple[str, int]]]:
    """Each filter's values the user may pick, most frequent first (counted over the contacts the user sees)."""
    from django.db.models import Count

    from crm.filters import ART14_OVERDUE, ART14_PENDING
    from crm.models import Contact

    visible = Contact.objects.restrict(user, "view").order_by()

    def counted(column: str) -> list[tuple[str, int]]:
        rows = visible.exclude(**{f"{column}__isnull": True}).values_list(column).annotate(n=Count("id"))
        return sorted(((str(value), n) for value, n in rows), key=lambda pair: (-pair[1], pair[0]))

    art14 = [(ART14_PENDING, visible.art14_pending().count()), (ART14_OVERDUE, visible.art14_overdue().count())]
    owners = counted("owner_id")
    if user.pk not in {int(value) for value, _ in owners} or len(owners) == 1:
        # A Sales user sees only their own contacts: "someone else" is the rare owner (nothing matches).
        other = Contact.objects.exclude(owner_id=user.pk).exclude(owner_id__isnull=True).values_list("owner_id")
        owners = [*owners, (str(other.first()[0]), 0)]
    organisations = counted("organisation_id")
    return {
        "status": counted("status"),
        "kind": counted("kind"),
        "tag": counted("tags__name"),
        # Every organisation is small (about 20 contacts); the common one is the largest.
        "organisation": [organisations[0], organisations[-1]],
        "owner": owners,
        "art14": sorted(art14, key=lambda pair: -pair[1]),
    }


def combinations(user: Any, subsets: int | None = None) -> list[Combination]:
    values = _frequencies(user)
    found = []
    names = [combo for size in range(1, len(FILTERS) + 1) for combo in itertools.combinations(FILTERS, size)]
    for chosen in names[:subsets] if subsets else names:
        found.append(Combination({name: values[name][0][0] for name in chosen}, "common"))
        found.append(Combination({name: values[name][-1][0] for name in chosen}, "rare"))
    return found


def count_matches(user: Any, combination: Combination) -> int:
    from crm.filters import ContactFilter
    from crm.models import Contact

    filterset = ContactFilter(combination.filters, queryset=Contact.objects.restrict(user, "view"))
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.order_by().values("id").distinct().count()


def _url(filters: dict[str, str]) -> str:
    return f"/contacts/?{urlencode(filters)}" if filters else "/contacts/"


def _get(client: Any, url: str) -> float:
    import time

    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


@dataclass
class UserRun:
    who: str
    combinations: list[Combination]
    baseline: list[float]
    queries: Counter = field(default_factory=Counter)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    def ratio(self, combination: Combination) -> float:
        return statistics.median(combination.samples) / self.baseline_median


def measure_user(who: str, user: Any, *, repeat: int, subsets: int | None, echo: bool = False) -> UserRun:
    from django.test import Client

    client = Client()
    client.force_login(user)
    found = combinations(user, subsets)
    run = UserRun(who, found, baseline=[])
    for _ in range(2):
        _get(client, _url({}))
    for combination in found:
        combination.matches = count_matches(user, combination)
        _get(client, _url(combination.filters))  # untimed: the plan and the pages it reads
        for _ in range(repeat):
            combination.samples.append(_get(client, _url(combination.filters)))
        run.baseline.append(_get(client, _url({})))
        if echo:
            median = statistics.median(combination.samples)
            print(f"  {who}: {combination.label} ({combination.matches:,} matches): {median:.1f} ms", flush=True)
    return run


def table(dpo: UserRun, sales: UserRun) -> str:
    lines = [
        "| filters | values | DPO: matches | DPO: median (ms) | DPO: ÷ unfiltered | Sales: matches "
        "| Sales: median (ms) | Sales: ÷ unfiltered |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mine, theirs in zip(dpo.combinations, sales.combinations, strict=True):
        names = " + ".join(mine.filters)
        cells = [names, mine.variant]
        for run, combination in ((dpo, mine), (sales, theirs)):
            cells += [
                f"{combination.matches:,}",
                f"{statistics.median(combination.samples):.1f}",
                f"{run.ratio(combination):.2f}x",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _worst(run: UserRun) -> Combination:
    return max(run.combinations, key=run.ratio)


def main(
    contacts: int | None = None, *, repeat: int = 3, subsets: int | None = None, echo: bool = True
) -> common.Report:
    from access.roles import DPO

    contacts = contacts or common.bench_size()
    common.ensure_contacts(contacts)
    dpo = measure_user("dpo", common.staff_user("dpo", DPO), repeat=repeat, subsets=subsets, echo=echo)
    sales = measure_user("sales", common.sales_team()[0], repeat=repeat, subsets=subsets, echo=echo)
    metrics = []
    for run in (dpo, sales):
        worst = _worst(run)
        metrics.append(
            common.Metric(
                f"slowest combination for the {run.who.upper() if run.who == 'dpo' else 'Sales user'}",
                worst.samples,
                run.baseline,
                note=f"{worst.label} ({worst.variant}, {worst.matches:,} matches)",
            )
        )
    within = sum(run.ratio(c) <= TARGET_RATIO for run in (dpo, sales) for c in run.combinations)
    total = len(dpo.combinations) + len(sales.combinations)
    return common.Report(
        title="Contact list: every combination of filters",
        description=inspect.cleandoc(__doc__ or ""),
        metrics=metrics,
        table=common.markdown_table(common.Report("", "", metrics)) + "\n\n" + table(dpo, sales),
        notes=[
            f"{repeat} requests per combination after an untimed one; the unfiltered page: median "
            f"{dpo.baseline_median:.1f} ms for the DPO, {sales.baseline_median:.1f} ms for the Sales user.",
            f"Target (issue 16): every combination within {TARGET_RATIO:.0f}x the unfiltered page: "
            f"{within} of {total} are.",
            "Values: the most frequent (common) or least frequent (rare) value of each filter among the contacts "
            "the user sees; for the Sales user the rare owner is another user, so nothing matches.",
        ],
    )


if __name__ == "__main__":
    common.setup_django()
    report = main()
    print(report.table)
    print("\n".join(report.notes))
