"""The privacy notice, generated from the approved register: the public page and the Art. 14 notice."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
from django.test import Client

from crm.models import SourceKind
from crm.services.notices import art14_notice_send
from registry.seeding import seed_register

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_register(dpo_user):
    seed_register(SimpleNamespace(users={"DPO": dpo_user}, out=lambda text: None, rng=random.Random(1)))


def test_the_public_notice_speaks_french_to_a_browser_that_asks_for_french(demo_register):
    response = Client().get("/privacy/notice/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "fr"
    assert '<html lang="fr">' in page
    assert "Prospection commerciale" in page and "Gestion des clients" in page
    assert "3 ans après le dernier contact" in page
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("accept", ["en-GB,en;q=0.9", "de-DE", ""])
def test_the_public_notice_is_english_otherwise(demo_register, accept):
    response = Client().get("/privacy/notice/", HTTP_ACCEPT_LANGUAGE=accept)
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in page
    assert "Customer management" in page and "Gestion des clients" not in page
    # who, why, basis, how long, with whom, transfers, rights, complaint
    for text in ("Demo Organisation SAS", "Legitimate interests", "3 years after the last contact", "Partner X"):
        assert text in page
    assert "Eventbrite (event registrations) (US)" in page
    assert "dpo@demo-organisation.example" in page and "CNIL" in page


def test_the_notice_lists_only_approved_activities(demo_register, make_activity):
    make_activity(name="Secret draft processing")
    assert "Secret draft processing" not in Client().get("/privacy/notice/").content.decode()


def test_the_art14_notice_gains_purposes_bases_retention_recipients_and_the_dpo(demo_register):
    contact = ContactFactory(source=SourceKind.IMPORT, preferred_language="fr", emails=["lea@example.org"])
    message = art14_notice_send(contact=contact)
    assert message is not None
    for text in ("Prospection commerciale", "Intérêts légitimes", "3 ans après le dernier contact", "Julien Lefèvre"):
        assert text in message.body
