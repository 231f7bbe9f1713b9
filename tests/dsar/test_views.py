"""The staff area: the queue's filters, the case page and its actions, the contact page and dashboard panels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dsar import services
from dsar.models import EventKind, Request, RequestStatus
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def register(days_ago: int = 1, **kwargs) -> Request:
    return services.request_register(
        rights=kwargs.pop("rights", ["access"]),
        name="Jeanne Martin",
        email=kwargs.pop("email", "jeanne@example.org"),
        channel="post",
        received_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def test_the_queue_flags_overdue_and_at_risk_cases_and_filters(role_client):
    overdue = register(days_ago=40, rights=["erasure"])
    at_risk = register(days_ago=25)
    fresh = register(days_ago=1)
    client = role_client("Support")
    html = client.get("/requests/").content.decode()
    assert f'data-reference="{overdue.reference}" data-risk="overdue"' in html
    assert f'data-reference="{at_risk.reference}" data-risk="at_risk"' in html
    assert f'data-reference="{fresh.reference}" data-risk="on_track"' in html
    filtered = client.get("/requests/?right=erasure").content.decode()
    assert overdue.reference in filtered and fresh.reference not in filtered
    only_late = client.get("/requests/?overdue=on").content.decode()
    assert overdue.reference in only_late and at_risk.reference not in only_late
    bad = client.get("/requests/?days_left=-4")
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()


def test_a_dpo_works_a_case_from_its_page(role_client, cast):
    case = register()
    client = role_client("DPO")
    page = client.get(f"/requests/{case.pk}/").content.decode()
    assert case.reference in page and 'id="case-timeline"' in page
    # assign, note, ask for information without a reason (refused by field), then with one
    client.post(f"/requests/{case.pk}/assign/", {"assignee": cast["DPO"].pk})
    client.post(f"/requests/{case.pk}/notes/", {"text": "Called back on Monday."})
    refused = client.post(f"/requests/{case.pk}/information/ask/", {"reason": "", "message": "Your number?"})
    assert 'id="id_reason_errors"' in refused.content.decode()
    client.post(f"/requests/{case.pk}/information/ask/", {"reason": "Address differs", "message": "Your number?"})
    case.refresh_from_db()
    assert case.status == RequestStatus.AWAITING_IDENTITY and case.assignee == cast["DPO"]
    # the identity document is checked and deleted: nothing of it is stored
    document = SimpleUploadedFile("passport.png", b"\x89PNG fake", content_type="image/png")
    client.post(f"/requests/{case.pk}/information/receive/", {"method": "document", "document": document})
    case.refresh_from_db()
    assert case.status == RequestStatus.OPEN and case.identity_method == "document"
    # refuse without a ground: a field error; with one: closed and the notice queued
    no_ground = client.post(f"/requests/{case.pk}/refuse/", {"explanation": "Too many"})
    assert 'id="id_ground_errors"' in no_ground.content.decode()
    client.post(f"/requests/{case.pk}/refuse/", {"ground": "unfounded_or_excessive", "explanation": "Tenth copy."})
    case.refresh_from_db()
    assert case.status == RequestStatus.REFUSED
    kinds = set(case.events.values_list("kind", flat=True))
    assert {EventKind.ASSIGNED, EventKind.INFORMATION_ASKED, EventKind.IDENTITY_CHECKED, EventKind.REFUSED} <= kinds
    assert case.notes.get().text == "Called back on Monday."


def test_support_registers_a_phone_request_but_cannot_refuse(role_client):
    client = role_client("Support")
    received = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/requests/new/",
        {
            "rights": ["rectification"],
            "channel": "phone",
            "received_at": received,
            "name": "Paul Durand",
            "language": "fr",
        },
    )
    case = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{case.pk}/"
    assert client.post(f"/requests/{case.pk}/refuse/", {"ground": "third_party_rights"}).status_code == 403


def test_staff_find_and_match_a_contact_then_the_contact_page_lists_the_request(role_client):
    case = register(email="")
    contact = ContactFactory(first_name="Jeanne", last_name="Zqmartin", emails=["jm@example.org"])
    client = role_client("DPO")
    found = client.get(f"/requests/{case.pk}/?contact_q=zqmar").content.decode()
    assert 'id="contact-results"' in found and "Zqmartin" in found
    client.post(f"/requests/{case.pk}/matches/", {"contact": contact.pk})
    assert list(case.matches.values_list("contact_id", flat=True)) == [contact.pk]
    panel = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="requests-panel"' in panel and case.reference in panel
    client.post(f"/requests/{case.pk}/matches/{contact.pk}/remove/")
    assert not case.matches.exists()


def test_the_dashboard_panel_counts_open_at_risk_and_overdue_and_links_to_the_queue(role_client):
    overdue = register(days_ago=40)
    at_risk = register(days_ago=25)
    fresh = register(days_ago=1)
    answered = register(days_ago=50)
    Request.objects.filter(pk=answered.pk).update(
        status=RequestStatus.CLOSED, closed_at=answered.received_at + timedelta(days=12)
    )
    client = role_client("DPO")
    html = client.get("/dashboard/").content.decode()
    panel = html[html.index('id="panel-requests"') :]
    panel = panel[: panel.index("</section>")]
    assert 'data-figure="open">3<' in panel
    assert 'data-figure="overdue">1<' in panel and 'data-figure="at_risk">1<' in panel
    # the overdue request is listed and opens its case; the median counts the answered one
    assert f'href="/requests/{overdue.pk}/" data-overdue>{overdue.reference}<' in panel
    assert 'data-figure="median_days">12 days<' in panel
    # each figure links to the queue filtered the same way
    at_risk_queue = client.get("/requests/?at_risk=on").content.decode()
    assert at_risk.reference in at_risk_queue
    assert overdue.reference not in at_risk_queue and fresh.reference not in at_risk_queue
    assert 'href="/requests/?at_risk=on"' in panel and 'href="/requests/?overdue=on"' in panel


def test_many_late_requests_make_one_alert_linked_to_the_filtered_queue(settings):
    from core.alerts import alerts_current
    from dsar import panels

    late = [register(days_ago=40 + index) for index in range(panels.ALERTS_LISTED + 1)]
    soon = register(days_ago=25)
    requests_alerts = [alert for alert in alerts_current() if alert.kind == "request"]
    assert [(alert.severity, alert.title, alert.url) for alert in requests_alerts] == [
        ("red", f"{len(late)} requests are overdue", "/requests/?overdue=on"),
        (
            "amber",
            f"Request {soon.reference}: due in {panels.running_requests()[-1].days_left} days",
            f"/requests/{soon.pk}/",
        ),
    ]
    assert late[-1].reference in requests_alerts[0].detail  # the earliest due is named
