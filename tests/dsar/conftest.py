from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from consent.models import ConsentWording, Purpose
from consent.services import purpose_save, wording_publish
from core.models import OutboxMessage
from dsar.models import Request
from registry.choices import LegalBasis
from registry.models import ProcessingActivity

PUBLIC_URL = "/privacy/request/"
LINK = re.compile(r"http://[^\s]+/privacy/request/verify/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _generous_form_limits(settings: Any) -> None:
    settings.DSAR_FORM_LIMIT_PER_IP_PER_HOUR = 1000


def submit(client: Client | None = None, **fields: Any) -> Any:
    """Post the public form as a browser would: GET first (CSRF cookie), then POST with the token."""
    client = client or Client(enforce_csrf_checks=True)
    page = client.get(PUBLIC_URL, HTTP_ACCEPT_LANGUAGE=fields.pop("accept_language", "en"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"rights": ["access"], "name": "Jeanne Martin", "email": "jeanne@example.org", "details": "", **fields}
    return client.post(PUBLIC_URL, {**data, "csrfmiddlewaretoken": token}, HTTP_ACCEPT_LANGUAGE="en")


def verification_token(address: str) -> str:
    message = OutboxMessage.objects.filter(template="dsar_verification").order_by("-pk").first()
    assert message is not None and message.recipient == address.lower()
    return LINK.search(message.body).group(1)


@pytest.fixture
def verified_request(db: None) -> Callable[..., Request]:
    """A request through the public form and its verification link."""

    def make(email: str = "jeanne@example.org", **fields: Any) -> Request:
        assert submit(email=email, **fields).status_code == 200
        token = verification_token(email)
        response = Client().post(f"{PUBLIC_URL}verify/{token}/")
        assert response.status_code == 200, response.content.decode()[:500]
        return Request.objects.order_by("-pk").first()

    return make


@pytest.fixture
def time_travel(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], None]:
    """Move the services' clock (django.utils.timezone.now as they see it) to a fixed instant."""
    from django.utils import timezone

    def travel(moment: Any) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return travel


# Fulfilment: a consent purpose to object to.
@pytest.fixture
def newsletter(db: None) -> Purpose:
    activity = ProcessingActivity.objects.create(
        reference="ACT-NL", name="Newsletter", main_purpose="Send the newsletter", legal_basis=LegalBasis.CONSENT
    )
    purpose = purpose_save(
        data={
            "key": "newsletter",
            "name": "Newsletter",
            "activity": activity,
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email"],
        }
    )
    wording_publish(purpose=purpose, language="en", text="Send me the monthly newsletter.")
    return purpose


@pytest.fixture
def wording_en(newsletter: Purpose) -> ConsentWording:
    return newsletter.wordings.get(language="en")
