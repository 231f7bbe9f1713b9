"""The history list never names a field the viewer's role may not read; it says one is hidden."""

from __future__ import annotations

import pytest

from core.actors import Actor, acting_as
from crm.services import contact_update
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes_changed(sales_user):
    contact = ContactFactory(owner=sales_user, notes="Met at the fair", city="Lyon")
    with acting_as(Actor.for_user(sales_user)):
        contact_update(contact=contact, notes="Prefers calls after 5 pm", city="Lille")
    return contact


def _history(html: str) -> str:
    return html[html.index('id="history"') :]


def test_marketing_sees_that_a_field_is_hidden_but_not_which(role_client, notes_changed):
    history = _history(role_client("Marketing").get(f"/contacts/{notes_changed.pk}/").content.decode())
    assert "city" in history
    assert "notes" not in history.lower()
    assert 'data-hidden-fields="1"' in history and "a field hidden for your role" in history


def test_a_role_that_reads_notes_sees_the_field_named(role_client, notes_changed):
    history = _history(role_client("Sales").get(f"/contacts/{notes_changed.pk}/").content.decode())
    assert "notes" in history and "data-hidden-fields" not in history
