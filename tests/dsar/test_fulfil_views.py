"""Staff pages of fulfilment: the actions show on the request page, the diff form answers field by field."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from access import roles
from crm.models import Contact

from ..factories import ContactFactory
from .fulfil_support import verified_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(cast) -> Client:
    client = Client()
    client.force_login(cast[roles.DPO])
    return client


def test_the_request_page_shows_the_actions_of_the_rights_asked_for(dpo):
    case = verified_request([ContactFactory()], rights=["access", "rectification"])

    page = dpo.get(reverse("dsar:request_detail", args=[case.pk])).content.decode()

    assert 'id="fulfil-access"' in page and "fulfil-rectify-" in page
    assert 'id="fulfil-erasure"' not in page and 'id="fulfil-portability"' not in page


def test_the_rectification_diff_form_refuses_a_bad_value_then_applies_a_good_one(dpo):
    contact = ContactFactory(city="Lyon", emails=["diff@example.org"])
    case = verified_request([contact], rights=["rectification"])
    url = reverse("dsar:fulfil_rectify", args=[case.pk, contact.pk])

    page = dpo.get(url).content.decode()
    assert "Lyon" in page and 'name="city"' in page  # the current value beside the requested one
    bad = dpo.post(url, {"birth_date": "31/02/1990", "city": "Paris"})
    assert bad.status_code == 400 and Contact.objects.get(pk=contact.pk).city == "Lyon"
    good = dpo.post(url, {"city": "Paris"})
    assert good.status_code == 302 and Contact.objects.get(pk=contact.pk).city == "Paris"


def test_only_the_dpo_erases(cast, dpo):
    case = verified_request([ContactFactory()], rights=["erasure"])
    support = Client()
    support.force_login(cast[roles.SUPPORT])
    url = reverse("dsar:fulfil_erasure", args=[case.pk])

    assert support.post(url).status_code == 403
    assert dpo.get(url).status_code == 200
    started = dpo.post(url)
    assert started.status_code == 302 and "/erasure-runs/" in started["Location"]
