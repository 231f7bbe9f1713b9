"""What consent adds to the dashboard (core.panels) and its figures (core.figures)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import figures
from core.alerts import RED, Alert
from core.panels import Panel, chart_data
from crm.dashboard import month_labels, per_month
from crm.models import Contact

from .models import Action, ConsentEvent, ConsentState, Purpose, Status

GIVEN = Q(action__in=[Action.GIVEN, Action.CONFIRMED], awaits_confirmation=False)
WITHDRAWN = Q(action__in=[Action.WITHDRAWN, Action.OBJECTED, Action.EXPIRED])
OUTBOUND_KINDS = ("email", "call")


def rates_per_purpose() -> list[dict[str, Any]]:
    """Per purpose: consents given and withdrawn in each of the last 24 months."""
    return [
        {
            "purpose": purpose.pk,
            "name": purpose.name,
            "given": per_month(ConsentEvent.objects.filter(GIVEN, purpose=purpose), "occurred_at"),
            "withdrawn": per_month(ConsentEvent.objects.filter(WITHDRAWN, purpose=purpose), "occurred_at"),
        }
        for purpose in Purpose.objects.order_by("name")
    ]


def contacted_without_basis() -> int:
    """Contacts written to or called (interactions) in the last year after they withdrew or objected, with no
    consent granted for any purpose since: should be zero."""
    since = timezone.now() - timedelta(days=365)
    granted = ConsentState.objects.filter(contact=OuterRef("pk"), status=Status.GRANTED)
    return (
        Contact.objects.filter(consent_events__action__in=[Action.WITHDRAWN, Action.OBJECTED])
        .annotate(withdrawn_at=Max("consent_events__occurred_at"))
        .filter(interactions__kind__in=OUTBOUND_KINDS, interactions__occurred_at__gte=since)
        .annotate(contacted_at=Max("interactions__occurred_at"))
        .filter(contacted_at__gt=F("withdrawn_at"))
        .exclude(Exists(granted))
        .values("pk")
        .distinct()
        .count()
    )


def register_figures() -> None:
    figures.register("consent.rates", rates_per_purpose)
    figures.register("consent.contacted_without_basis", contacted_without_basis, every=900, default=0)


def consent_panel(request: HttpRequest) -> Panel | None:
    if not request.user.has_perm("consent.view_purpose"):
        return None
    readings = figures.figures_read(["consent.rates", "consent.contacted_without_basis", "crm.contacts"])
    rates = readings["consent.rates"].value
    labels = month_labels(rates[0]["given"]) if rates else []
    datasets = [
        (gettext("%(purpose)s: given") % {"purpose": row["name"]}, [n for _m, n in row["given"]]) for row in rates
    ]
    datasets += [
        (gettext("%(purpose)s: withdrawn") % {"purpose": row["name"]}, [n for _m, n in row["withdrawn"]])
        for row in rates
    ]
    chart = chart_data("line", labels, datasets)
    table = []
    for row in rates:
        given, withdrawn = sum(n for _m, n in row["given"][-12:]), sum(n for _m, n in row["withdrawn"][-12:])
        rate = round(100 * withdrawn / given) if given else None
        table.append(
            {"purpose": row["purpose"], "name": row["name"], "given": given, "withdrawn": withdrawn, "rate": rate}
        )
    contacts = readings["crm.contacts"].value
    without_basis = readings["consent.contacted_without_basis"].value
    return Panel(
        key="consent",
        title=_("Consents"),
        template="consent/panels/consent.html",
        figures={
            "chart": chart,
            "table": table,
            "without_basis": without_basis,
            "art14_pending": contacts["art14_pending"],
            "art14_overdue": contacts["art14_overdue"],
        },
        computed_at=figures.oldest(readings.values()),
        url=reverse("consent:index"),
        order=50,
        alert=bool(without_basis),
    )


def basis_alerts() -> list[Alert]:
    count = figures.figure_value("consent.contacted_without_basis") or 0
    if not count:
        return []
    title = gettext("%(count)d contacts were contacted after withdrawing their consent") % {"count": count}
    return [Alert("consent", RED, title, url=reverse("consent:index"))]


# --------------------------------------------------------------------------- evidence pack section

PROOF_SAMPLE_SIZE = 50


def consent_proof_section(pack: Any) -> dict[str, bytes]:
    """A sample of consent proofs per purpose (the latest given or confirmed ones): by contact id, with the
    wording version, method, whether a form and a page were recorded, and who recorded it; no name, address,
    IP address, browser or free text."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "event_id",
            "contact_id",
            "purpose",
            "channel",
            "action",
            "occurred_at",
            "method",
            "wording_version",
            "wording_language",
            "form_recorded",
            "page_recorded",
            "recorded_by",
            "recorded_at",
        ]
    )
    for purpose in Purpose.objects.order_by("key"):
        events = (
            ConsentEvent.objects.filter(GIVEN, purpose=purpose)
            .select_related("wording")
            .order_by("-occurred_at")[:PROOF_SAMPLE_SIZE]
        )
        for e in events:
            writer.writerow(
                [
                    e.pk,
                    e.contact_id,
                    purpose.key,
                    e.channel,
                    e.action,
                    e.occurred_at.isoformat(),
                    e.method,
                    e.wording.version if e.wording else "",
                    e.wording.language if e.wording else "",
                    "yes" if e.form_id else "no",
                    "yes" if e.source_url else "no",
                    e.recorded_by,
                    e.recorded_at.isoformat(),
                ]
            )
    return {"consent/consent-proof-samples.csv": ("\ufeff" + buffer.getvalue()).encode()}
