"""The compliance dashboard: panels read the figures store, alerts, the DPO's digest, the API, the landing page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from access import roles
from core import figures
from core.alerts import RED, alert_digest_send, alerts_current
from core.models import Figure, OutboxMessage
from crm.models import Contact, Disclosure
from registry.models import Breach
from registry.services import breach_record
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT_TERMS = {
    "format": "csv",
    "purpose_activity": "other",
    "purpose": "Trade fair invitations",
    "reason": "Sending the invitations",
    "recipient_kind": "internal",
}


def _breach(hours_ago: float, title: str = "Newsletter sent with recipients in copy") -> Breach:
    return breach_record(
        data={
            "title": title,
            "aware_at": timezone.now() - timedelta(hours=hours_ago),
            "description": "Addresses visible.",
            "nature": ["confidentiality"],
        }
    )


def _rights_request(days_ago: int):
    from dsar.services import request_register

    return request_register(
        rights=["access"],
        name="Jeanne Martin",
        email="jeanne@example.org",
        channel="post",
        received_at=timezone.now() - timedelta(days=days_ago),
    )


def _alert_titles(html: str) -> list[str]:
    section = html[html.index('id="alerts"') : html.index('id="dashboard-panels"')]
    return [re.sub(r"\s+", " ", title).strip() for title in re.findall(r'<a href="[^"]*">([^<]+)</a>', section)]


def test_the_dpo_and_the_administrator_land_on_the_dashboard_others_on_home(client, cast):
    from tests.factories import PASSWORD

    for role, landing in [(roles.DPO, "/dashboard/"), (roles.ADMINISTRATOR, "/dashboard/"), (roles.SALES, "/")]:
        response = client.post("/login/", {"username": cast[role].get_username(), "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == landing, role
        client.logout()


def test_panels_show_stored_figures_with_their_age_until_the_job_refreshes_them(client, dpo_user):
    # given the figures computed with two contacts
    ContactFactory.create_batch(2)
    figures.figures_refresh()
    client.force_login(dpo_user)
    assert '<div class="kpi-value" id="kpi-contacts">2</div>' in client.get("/dashboard/").content.decode()

    # when a contact is added, the page still reads the stored figure (no count over the contacts) and says when
    ContactFactory()
    html = client.get("/dashboard/").content.decode()
    assert '<div class="kpi-value" id="kpi-contacts">2</div>' in html
    assert "data-computed-at=" in html and "as of" in html

    # then the beat's job refreshes it
    call_command("refresh_figures", stdout=None)
    assert '<div class="kpi-value" id="kpi-contacts">3</div>' in client.get("/dashboard/").content.decode()


def test_a_figure_that_fails_keeps_its_last_value_and_the_others_refresh():
    figures.register("test.ok", lambda: 1)
    figures.register("test.broken", lambda: 1)
    figures.figures_refresh(keys=["test.ok", "test.broken"])
    figures.register("test.broken", lambda: 1 / 0)
    figures.register("test.ok", lambda: 2)
    try:
        assert figures.figures_refresh(keys=["test.ok", "test.broken"]) == ["test.ok"]
        assert figures.figure_value("test.ok") == 2
        assert figures.figure_value("test.broken") == 1
    finally:
        figures._computations.pop("test.ok")
        figures._computations.pop("test.broken")
        Figure.objects.filter(key__startswith="test.").delete()


def test_a_slow_figure_never_computed_shows_its_default_and_asks_the_job(
    client, dpo_user, django_capture_on_commit_callbacks
):
    # given a fresh installation: no figure computed yet
    client.force_login(dpo_user)

    # when the DPO opens the dashboard, the quick figures are computed at once, the slow ones (minutes at a
    # million contacts) show their default and the figures job is queued
    with django_capture_on_commit_callbacks() as callbacks:
        html = client.get("/dashboard/").content.decode()
    assert Figure.objects.filter(key="crm.contacts").exists()
    assert not Figure.objects.filter(key="crm.data_quality").exists()
    assert 'id="data-quality"' in html and callbacks


def test_every_panel_links_to_the_list_behind_it_and_every_chart_has_a_table(client, dpo_user):
    figures.figures_refresh()
    client.force_login(dpo_user)
    html = client.get("/dashboard/").content.decode()

    for key, url in [
        ("contacts", "/contacts/"),
        ("breaches", "/registry/breaches/"),
        ("registry", "/registry/"),
        ("retention", "/retention/"),
        ("consent", "/consents/"),
    ]:
        panel = html[html.index(f'id="panel-{key}"') :]
        assert f'<a class="text-reset" href="{url}">' in panel[:600], key
    for chart in re.findall(r'data-chart="([\w-]+)"', html):
        assert f'id="{chart}-table"' in html and f'id="{chart}"' in html
    assert "coming" not in html.lower() and "missing" not in html.lower()


def test_an_export_of_5000_contacts_by_a_sales_user_alerts_the_dpo(client, sales_user, dpo_user, settings):
    # given a Sales user who owns more than 5,000 contacts (generated: half go to the Sales team, half to nobody)
    settings.ALERT_EXPORT_SIZE = 1000
    call_command("generate_contacts", 10_400, batch=20_000, phone_ratio=0, stdout=None)
    assert Contact.objects.filter(owner=sales_user).count() >= 5000
    client.force_login(sales_user)

    # when they export all of them
    response = client.post(reverse("crm:contact_export"), EXPORT_TERMS)
    assert response.status_code == 200
    b"".join(response.streaming_content)

    # then the DPO's dashboard raises the alert, naming the user and the size
    client.force_login(dpo_user)
    titles = _alert_titles(client.get("/dashboard/").content.decode())
    exported = Disclosure.objects.get().contact_count
    assert exported >= 5000
    assert f"Large export: {exported} contacts by {sales_user.get_username()}" in titles

    # and a small export by someone else raises none
    settings.ALERT_EXPORT_SIZE = exported
    assert not [alert for alert in alerts_current() if alert.kind == "export"]


def test_the_digest_lists_exactly_what_the_dashboard_flags(
    client, dpo_user, settings, django_capture_on_commit_callbacks
):
    # given a breach at 70 hours (red), an old notified-or-not one far from the deadline (no alert),
    # a rights request received 40 days ago (overdue, red), one 25 days ago (at risk, amber), one today (none)
    settings.ALERT_DIGEST_TO = ["dpo@example.org"]
    _breach(70)
    _breach(2, title="Printer left unlocked")
    late, soon, _fresh = (_rights_request(days) for days in (40, 25, 0))
    figures.figures_refresh()
    client.force_login(dpo_user)

    flagged = _alert_titles(client.get("/dashboard/").content.decode())
    assert any(title.startswith("Breach ") and "due in 1 h" in title for title in flagged)
    today = timezone.localdate()  # due one month after receipt (Art. 12(3)): the days depend on the month
    assert f"Request {late.reference}: overdue by {(today - late.due_date).days} days" in flagged
    assert f"Request {soon.reference}: due in {(soon.due_date - today).days} days" in flagged
    assert len([title for title in flagged if title.startswith("Request ")]) == 2
    assert alerts_current()[0].severity == RED

    # when the daily digest goes
    with django_capture_on_commit_callbacks():
        assert alert_digest_send() == 1

    # then its lines are the dashboard's alerts, one for one
    message = OutboxMessage.objects.get(template="alert_digest")
    listed = [line.split("] ", 1)[1] for line in message.body.splitlines() if line.startswith("- [")]
    assert [re.sub(r" \(.*\)$", "", line) for line in listed] == flagged
    assert message.recipient == "dpo@example.org"


def test_no_digest_on_a_quiet_day(settings):
    settings.ALERT_DIGEST_TO = ["dpo@example.org"]
    figures.figures_refresh()
    assert alerts_current() == []
    assert alert_digest_send() == 0
    assert not OutboxMessage.objects.filter(template="alert_digest").exists()


def test_the_api_returns_every_figure_and_the_alerts(client, dpo_user, sales_user):
    _breach(70)
    figures.figures_refresh()
    client.force_login(dpo_user)

    body = client.get("/api/v1/dashboard/").json()

    assert {figure["key"] for figure in body["figures"]} == set(figures.registered_keys())
    assert all(figure["computed_at"] for figure in body["figures"])
    assert [alert["kind"] for alert in body["alerts"]] == ["breach"]
    client.force_login(sales_user)
    assert client.get("/api/v1/dashboard/").status_code == 403


def test_the_auditor_sees_the_dashboard_but_a_sales_user_does_not(client):
    auditor = UserFactory(username="audrey", roles=[roles.AUDITOR])
    client.force_login(auditor)
    assert client.get("/dashboard/").status_code == 200
    client.force_login(UserFactory(username="sid", roles=[roles.SALES]))
    assert client.get("/dashboard/").status_code == 403


def test_repeated_failed_sign_ins_lock_a_name_and_alert_the_dpo(client, dpo_user, settings):
    # given a threshold of 4 failed sign-ins a day, and 5 wrong passwords typed under one name
    settings.ALERT_LOGIN_FAILURES = 4
    settings.LOGIN_FAILURE_LIMIT = 5
    for _attempt in range(5):
        client.post("/login/", {"username": "someone@example.org", "password": "wrong"})
    figures.figures_refresh()

    # then the dashboard counts them, the name is locked, and both alerts show, naming no one
    client.force_login(dpo_user)
    html = client.get("/dashboard/").content.decode()
    panel = html[html.index('id="panel-sign-in"') :]
    assert 'data-figure="failed_24h">5<' in panel and 'data-figure="locked_now">1<' in panel
    logins = [alert for alert in alerts_current() if alert.kind == "login"]
    assert [(alert.severity, alert.title) for alert in logins] == [
        (RED, "1 sign-in name locked after repeated failures"),
        ("amber", "5 failed sign-ins in the last 24 hours"),
    ]
    assert "someone@example.org" not in html

    # and below the threshold, failures alone raise nothing
    settings.ALERT_LOGIN_FAILURES = 6
    from access.models import LoginGuard

    LoginGuard.objects.all().delete()
    assert not [alert for alert in alerts_current() if alert.kind == "login"]


def test_the_duplicates_panel_counts_pending_pairs_for_reviewers(client, dpo_user, django_capture_on_commit_callbacks):
    from crm.models import DuplicateCandidate

    first, second, third = ContactFactory.create_batch(3)
    DuplicateCandidate.objects.create(contact_a=first, contact_b=second, score=0.9)
    DuplicateCandidate.objects.create(contact_a=first, contact_b=third, score=0.8, status="dismissed")
    figures.figures_refresh()
    client.force_login(dpo_user)
    html = client.get("/dashboard/").content.decode()
    panel = html[html.index('id="panel-duplicates"') :]
    assert '<a class="text-reset" href="/contacts/duplicates/">' in panel[:600]
    assert 'data-figure="duplicates_pending">1<' in panel

    # a reviewer's decision counts at once, without waiting for the figures job
    from crm.dedup.merge import candidate_dismiss

    with django_capture_on_commit_callbacks(execute=True):
        candidate_dismiss(candidate=DuplicateCandidate.objects.get(status="pending"))
    html = client.get("/dashboard/").content.decode()
    assert 'data-figure="duplicates_pending">0<' in html[html.index('id="panel-duplicates"') :]


def test_a_user_reading_far_more_records_than_usual_alerts_the_dpo(settings):
    from crm.dashboard import reading_alerts
    from crm.models import AccessChannel, ContactAccess

    settings.ALERT_READ_FACTOR, settings.ALERT_READ_MINIMUM = 5, 200
    contact = ContactFactory()
    reader = UserFactory(username="rita", roles=[roles.SUPPORT])
    steady = UserFactory(username="steve", roles=[roles.SUPPORT])
    earlier = timezone.now() - timedelta(days=10)

    def read(user, count, at=None):
        rows = ContactAccess.objects.bulk_create(
            ContactAccess(
                contact=contact, channel=AccessChannel.PAGE, actor_kind="user", actor_label=user.username, user=user
            )
            for _ in range(count)
        )
        if at is not None:
            ContactAccess.objects.filter(pk__in=[row.pk for row in rows]).update(accessed_at=at)

    # rita usually reads about 10 a day and read 400 today; steve reads 300 a day, as usual
    read(reader, 300, earlier)
    read(reader, 400)
    read(steady, 9000, earlier)
    read(steady, 300)
    figures.figures_refresh(keys=["crm.reading_volume"])

    alerts = reading_alerts()

    assert [alert.title for alert in alerts] == ["Unusual reading: rita opened 400 records in 24 h"]
