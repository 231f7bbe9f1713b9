"""SEC-02: five wrong passwords lock an account for 15 minutes, even against the right password; an address
that keeps failing is refused for every name; an administrator unlocks (page or command); all of it audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from access.models import LoginGuard
from core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, address: str = "203.0.113.7") -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
        assert response.status_code == 200


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(sales_user):
    client = Client()
    fail(client, "sales", 4)
    # four failures: the right password still opens
    assert sign_in(client, "sales", PASSWORD).status_code == 302
    client.logout()

    fail(client, "sales", 5)
    response = sign_in(client, "sales", PASSWORD)

    assert response.status_code == 200 and not signed_in(client)
    assert "locked for 15 minutes" in response.text
    assert not Client().login(username="sales", password=PASSWORD)  # every password sign-in, not only the page
    assert AuditEvent.objects.filter(action="auth.account_locked", object_id=str(sales_user.pk)).count() == 1
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 4 + 5


def test_the_lock_ends_after_fifteen_minutes(sales_user):
    client = Client()
    fail(client, "sales", 5)
    LoginGuard.objects.filter(username="sales").update(locked_until=timezone.now() - timedelta(seconds=1))

    assert sign_in(client, "sales", PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_add_up(sales_user):
    client = Client()
    fail(client, "sales", 4)
    LoginGuard.objects.filter(username="sales").update(last_failure_at=timezone.now() - timedelta(minutes=16))
    fail(client, "sales", 1)

    assert LoginGuard.objects.get(username="sales").failures == 1
    assert sign_in(client, "sales", PASSWORD).status_code == 302


def test_an_unknown_name_locks_the_same_way(cast):
    # the answer does not tell whether an account has the name
    client = Client()
    fail(client, "nobody-here", 5)
    response = sign_in(client, "nobody-here", "whatever")
    assert "locked for 15 minutes" in response.text


def test_an_address_that_keeps_failing_is_refused_for_every_name(sales_user, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    client = Client()
    for name in ("a", "b", "c", "d", "e", "f"):
        fail(client, name, 1, address="198.51.100.9")

    assert sign_in(client, "sales", PASSWORD, address="198.51.100.9").status_code == 200
    assert sign_in(client, "sales", PASSWORD, address="198.51.100.10").status_code == 302


def test_an_administrator_unlocks_from_the_staff_page(sales_user, role_client):
    fail(Client(), "sales", 5)
    admin = role_client("Administrator")

    page = admin.get("/security/locks/")
    guard = LoginGuard.objects.get(username="sales")
    assert page.status_code == 200 and "sales" in page.text
    response = admin.post(f"/security/locks/{guard.pk}/unlock/")

    assert response.status_code == 302
    assert not LoginGuard.objects.exists()
    assert sign_in(Client(), "sales", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.account_unlocked")
    assert (event.actor_label, event.object_id) == ("administrator", str(sales_user.pk))


def test_the_unlock_command(sales_user, capsys):
    fail(Client(), "sales", 5)

    call_command("unlock_account", "--list")
    assert "sales" in capsys.readouterr().out
    call_command("unlock_account", "sales")

    assert Client().login(username="sales", password=PASSWORD)
    assert AuditEvent.objects.get(action="auth.account_unlocked").actor_kind == "system"
    with pytest.raises(CommandError):
        call_command("unlock_account", "sales")


def test_a_sign_in_is_audited_and_clears_the_failures(sales_user):
    client = Client()
    fail(client, "sales", 3)

    sign_in(client, "sales", PASSWORD)

    assert not LoginGuard.objects.exists()
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor_user_id, event.object_id) == (sales_user.pk, str(sales_user.pk))
    # the audit trail never holds the name typed in a failed attempt
    assert not AuditEvent.objects.filter(data__icontains="sales").exists()
