"""Every change is attributed (DESIGN.md invariant 2): user, API caller or job."""

from __future__ import annotations

import pytest

from core.actors import Actor, acting_as
from crm import services
from crm.forms import ContactForm
from crm.models import Contact, ContactPoint

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _latest(contact: Contact):
    return contact.history.order_by("-history_id").first()


def _form_data(contact: Contact, **changes: str) -> dict:
    """What the edit page submits when the user changes nothing but `changes`."""
    form = ContactForm(instance=contact)
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        data[name] = "" if value is None else value
    return {**data, **changes}


@pytest.fixture
def owned_contact(sales_user) -> Contact:
    """A contact the Sales user owns (Sales only reach their own contacts)."""
    return ContactFactory(owner=sales_user, emails=["ines.lefevre@example.org"], phones=["+33 1 99 00 12 34"])


def test_staff_ui_edit_is_attributed_to_the_user(role_client, sales_user, owned_contact):
    contact = owned_contact
    response = role_client("Sales").post(f"/contacts/{contact.pk}/edit/", _form_data(contact, last_name="Lefèvre"))

    assert response.status_code == 302
    row = _latest(contact)
    assert (row.history_type, row.last_name) == ("~", "Lefèvre")
    assert row.history_user_id == sales_user.pk
    assert (row.history_actor_kind, row.history_actor_label) == ("user", sales_user.get_username())


def test_staff_ui_edit_without_changes_writes_no_history(role_client, owned_contact):
    contact = owned_contact
    before = contact.history.count(), ContactPoint.history.count()
    response = role_client("Sales").post(f"/contacts/{contact.pk}/edit/", _form_data(contact))
    assert response.status_code == 302
    assert (contact.history.count(), ContactPoint.history.count()) == before


def test_staff_ui_email_change_is_attributed_in_the_points_history(role_client, sales_user, owned_contact):
    response = role_client("Sales").post(
        f"/contacts/{owned_contact.pk}/edit/", _form_data(owned_contact, emails="ines@example.net")
    )

    assert response.status_code == 302
    added = ContactPoint.history.filter(contact_id=owned_contact.pk, history_type="+").latest("history_id")
    assert (added.value, added.history_user_id) == ("ines@example.net", sales_user.pk)
    removed = ContactPoint.history.filter(contact_id=owned_contact.pk, history_type="-").get()
    assert (removed.value, removed.history_actor_label) == ("ines.lefevre@example.org", sales_user.get_username())


def test_api_edit_is_attributed_to_the_caller(role_client, dpo_user, contact):
    response = role_client("DPO").patch(
        f"/api/v1/contacts/{contact.pk}/", {"first_name": "Siobhán"}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["first_name"] == "Siobhán"
    row = _latest(contact)
    assert (row.history_type, row.first_name) == ("~", "Siobhán")
    assert row.history_user_id == dpo_user.pk
    assert (row.history_actor_kind, row.history_actor_label) == ("user", dpo_user.get_username())


def test_api_create_is_attributed_to_the_caller(role_client, dpo_user):
    response = role_client("DPO").post(
        "/api/v1/contacts/",
        {"first_name": "Zoé", "last_name": "Martin", "source": "manual", "emails": ["zoe.martin@example.org"]},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    row = Contact.history.get(id=response.json()["id"])
    assert row.history_type == "+"
    assert (row.history_user_id, row.history_actor_kind) == (dpo_user.pk, "user")
    point = ContactPoint.history.get(contact_id=row.id)
    assert (point.value, point.history_user_id) == ("zoe.martin@example.org", dpo_user.pk)


def test_write_inside_a_job_is_attributed_to_the_job(contact):
    with acting_as(Actor.job("x")):
        services.contact_update(contact=contact, last_name="Job-Renamed")

    row = _latest(contact)
    assert row.last_name == "Job-Renamed"
    assert (row.history_actor_kind, row.history_actor_label) == ("job", "x")
    assert row.history_user_id is None


def test_write_outside_any_actor_is_marked_anonymous():
    contact = services.contact_create(first_name="Ada", last_name="Lovelace")
    row = _latest(contact)
    assert (row.history_type, row.history_actor_kind, row.history_user_id) == ("+", "anonymous", None)


def test_change_reason_is_recorded(contact):
    with acting_as(Actor.system("tests")):
        services.contact_update(contact=contact, reason="typo reported by phone", job_title="Directrice")
    assert _latest(contact).history_change_reason == "typo reported by phone"
