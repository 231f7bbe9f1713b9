"""Art. 15 end to end in a real browser: the person asks, verifies, the DPO fulfils, the person downloads the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from consent.services import consent_give, purpose_save, wording_publish
from core.models import OutboxMessage
from crm.services import disclosure_record, interaction_create
from dsar.models import Request, RequestEvent
from registry.choices import ActivityStatus, LegalBasis
from registry.models import ProcessingActivity
from retention.services import contact_activity_record

from ..factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "grace.access@example.org"


def _path(template: str, kind: str) -> str:
    body = OutboxMessage.objects.filter(template=template).latest("pk").body
    return re.search(rf"https?://[^/\s]+(/privacy/{kind}/[^\s]+/)", body).group(1)


def _person_everywhere() -> None:
    """Grace, with data in every app: crm, consent, retention; the register has an approved activity."""
    grace = ContactFactory(first_name="Grace", last_name="Hopper", emails=[EMAIL], notes="Met at the COBOL fair")
    interaction_create(
        contact=grace, kind="call", occurred_at=timezone.now(), subject="Call", body="Asked about compilers"
    )
    disclosure_record(recipient="Partner X", channel="export", contact_ids=[grace.pk], fields=["email"], country="DE")
    activity = ProcessingActivity.objects.create(
        reference="ACT-E2E",
        name="Newsletter mailing",
        main_purpose="Send the newsletter",
        legal_basis=LegalBasis.CONSENT,
        status=ActivityStatus.APPROVED,
    )
    purpose = purpose_save(
        data={
            "key": "news",
            "name": "News",
            "activity": activity,
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email"],
        }
    )
    wording = wording_publish(purpose=purpose, language="en", text="Send me the news.")
    consent_give(contact=grace, purpose=purpose, channel="email", method="staff", wording=wording)
    contact_activity_record(contact=grace, kind="purchase")


def test_a_person_asks_for_access_and_downloads_a_report_with_every_app_s_data(page, login, dpo_user, console_errors):
    _person_everywhere()

    # the person asks, through the public form
    page.goto("/privacy/request/")
    page.check("input[name='rights'][value='access']")
    page.fill("input[name='name']", "Grace Hopper")
    page.fill("input[name='email']", EMAIL)
    with page.expect_navigation():
        page.click("#dsar-submit")
    # and opens the verification link the outbox holds
    page.goto(_path("dsar_verification", "request/verify"))
    with page.expect_navigation():
        page.click("#dsar-confirm")
    case = Request.objects.get()

    # the DPO fulfils it from the request page
    login(dpo_user)
    page.goto(f"/requests/{case.pk}/")
    with page.expect_navigation():
        page.click("#fulfil-access")
    assert page.locator("#fulfil-files tbody tr").count() == 2

    # the person opens the download link: the address is asked for, a wrong one is refused
    page.context.clear_cookies()
    link = _path("dsar_report_ready", "report")
    page.goto(link)
    page.fill("input[name='email']", "someone@example.org")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator(".invalid-feedback").is_visible()
    assert [error for error in console_errors if "400 (Bad Request)" in error]  # the refusal is a 400
    console_errors.clear()
    page.fill("input[name='email']", EMAIL)
    with page.expect_download() as download:
        page.click("button[type=submit]")
    html = Path(download.value.path()).read_text(encoding="utf-8")

    # the report holds data from every app and the Art. 15(1) information
    for model in (
        "crm.Contact",
        "crm.Interaction",
        "consent.ConsentEvent",
        "retention.ContactActivity",
        "dsar.Request",
    ):
        assert f'data-model="{model}"' in html, model
    assert "Met at the COBOL fair" in html and "Asked about compilers" in html
    assert "Partner X" in html  # the disclosure log: who actually received the data
    assert "Newsletter mailing" in html  # the register's activity
    for section in ("Right to complain", "CNIL", "Automated decisions", "Transfer safeguards", "Your rights"):
        assert section in html, section
    assert RequestEvent.objects.filter(request=case, data__action="file_downloaded").count() == 1
