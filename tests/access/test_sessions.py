"""SEC-02: a staff session ends after 30 minutes idle, 12 hours after sign-in, when the account is disabled and
when its password changes; a new user without a role sees no contact (SEC-01)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from access.session_lifetime import SEEN, STARTED
from crm.models import Contact
from tests.factories import PASSWORD, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in_client(user) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def shift(client: Client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def test_a_session_idle_for_30_minutes_ends(sales_user):
    client = signed_in_client(sales_user)
    shift(client, SEEN, 29 * 60)
    assert client.get("/contacts/").status_code == 200  # still active, and the visit counts as activity

    shift(client, SEEN, 31 * 60)
    response = client.get("/contacts/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive_but_not_beyond_12_hours(sales_user):
    client = signed_in_client(sales_user)
    shift(client, STARTED, 11 * 3600)
    assert client.get("/contacts/").status_code == 200

    shift(client, STARTED, 12 * 3600 + 60)
    assert client.get("/contacts/").status_code == 302


def test_the_api_refuses_an_expired_session(sales_user):
    client = signed_in_client(sales_user)
    shift(client, SEEN, 31 * 60)
    assert client.get("/api/v1/contacts/").status_code in (401, 403)


def test_disabling_an_account_ends_its_sessions_at_once(sales_user):
    client = signed_in_client(sales_user)
    sales_user.is_active = False
    sales_user.save()

    assert client.get("/contacts/").status_code == 302
    assert client.get("/api/v1/contacts/").status_code in (401, 403)


def test_a_password_change_ends_the_other_sessions(sales_user):
    client = signed_in_client(sales_user)
    sales_user.set_password("A-new-Passw0rd-for-sales")
    sales_user.save()

    assert client.get("/contacts/").status_code == 302


def test_a_new_user_without_a_role_sees_no_contact(roles_synced):
    ContactFactory.create_batch(3)
    newcomer = UserFactory(username="newcomer")
    client = signed_in_client(newcomer)

    assert Contact.objects.restrict(newcomer, "view").count() == 0
    assert client.get("/contacts/").status_code == 403
    assert client.get("/api/v1/contacts/").status_code == 403
    assert client.get("/").status_code == 200  # the home page opens, with no area
