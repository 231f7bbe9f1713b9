"""SEC-02: two-factor sign-in, required of the roles holding bulk-export, API-key, unlock or purge rights.

These tests are marked `real_second_factor`: a sign-in owes the code, as it does for a person (every other test
gets a verified session from tests/conftest.py).
"""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access import roles
from access.two_factor import OPEN_URL_NAMES
from core.models import AuditEvent
from tests.factories import PASSWORD
from tests.test_authorisation import (
    SPEC,
    accepted_methods,
    build_world,
    concrete_url,
    parameters,
    request,
    url_patterns,
)

pytestmark = [pytest.mark.django_db, pytest.mark.real_second_factor]


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_sign_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def enrol(client: Client) -> list[str]:
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user__username=client.session_username, confirmed=False)
    response = client.post("/account/two-factor/", {"token": code_for(device), "next": "/contacts/"})
    assert response.status_code == 200
    return response.context["codes"]


def test_the_roles_that_must_use_a_second_factor_follow_from_their_rights():
    assert roles.roles_requiring_two_factor() == [roles.ADMINISTRATOR, roles.DPO, roles.SALES, roles.MARKETING]


def test_a_dpo_without_a_confirmed_device_reaches_no_staff_page(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(cast, roles.DPO)
    client = password_sign_in("dpo")

    reached = []
    for pattern in url_patterns():
        if pattern.key in OPEN_URL_NAMES:
            continue
        spec = SPEC[pattern.spec_key]
        if spec.target and spec.target not in world.theirs:
            continue
        url = concrete_url(
            pattern, parameters({"object": world.theirs[spec.target]} if spec.target else None, pattern.route)
        )
        for method in accepted_methods(pattern.entry):
            response = request(client, method, url)
            sent_to_enrolment = response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
            refused_by_the_api = url.startswith("/api/") and response.status_code in (403, 404)
            if not (sent_to_enrolment or refused_by_the_api):
                reached.append(f"{method} {url}: {response.status_code}")

    assert reached == []
    assert client.get("/contacts/")["Location"] == "/account/two-factor/?next=%2Fcontacts%2F"


def test_the_public_pages_stay_open_to_a_signed_in_dpo_who_owes_the_code(cast, settings, tmp_path):
    """A page an anonymous visitor can open (the request form, a consent or renewal link) is not a staff page:
    a DPO signed in on the same browser reaches it without being sent to enrolment."""
    settings.MEDIA_ROOT = tmp_path
    anonymous = Client()
    public = []
    for pattern in url_patterns():
        staff_side = pattern.key.startswith("admin:") or pattern.route.startswith("^api/")  # the admin, the API
        if staff_side or SPEC[pattern.spec_key].target or "GET" not in accepted_methods(pattern.entry):
            continue
        url = concrete_url(pattern, parameters(None, pattern.route))
        response = anonymous.get(url)
        sent_to_login = response.status_code == 302 and "/login/" in response["Location"]
        if not sent_to_login and response.status_code not in (401, 403, 405):
            public.append(pattern.key)
    assert {"dsar_request", "privacy_notice", "consent_confirm"} <= set(public)
    assert sorted(set(public) - OPEN_URL_NAMES) == []


def test_enrolment_then_the_code_at_each_sign_in(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own wait after a wrong code, tested by django-otp
    # given a DPO who signs in with the password only: sent to enrolment
    client = password_sign_in("dpo")
    client.session_username = "dpo"
    assert client.get("/contacts/").status_code == 302

    # when they scan the QR code and confirm with the first code
    page = client.get("/account/two-factor/")
    assert "<svg" in page.text and 'id="two-factor-secret"' in page.text
    codes = enrol(client)

    # then they reach staff pages, with ten recovery codes shown once
    assert len(codes) == 10 and client.get("/contacts/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enrolled", object_id=str(cast["DPO"].pk)).exists()

    # at the next sign-in the code is asked for; a wrong one is refused, the next right one opens
    client = password_sign_in("dpo")
    assert client.get("/contacts/")["Location"].startswith("/account/two-factor/verify/")
    wrong = client.post("/account/two-factor/verify/", {"token": "000000", "next": "/contacts/"})
    assert wrong.status_code == 200 and "not valid" in wrong.text
    device = TOTPDevice.objects.get(user=cast["DPO"], confirmed=True)
    assert (
        client.post("/account/two-factor/verify/", {"token": code_for(device, 1), "next": "/contacts/"})["Location"]
        == "/contacts/"
    )
    assert client.get("/contacts/").status_code == 200


def test_a_recovery_code_opens_once(cast):
    client = password_sign_in("dpo")
    client.session_username = "dpo"
    codes = enrol(client)

    first = password_sign_in("dpo")
    assert first.post("/account/two-factor/verify/", {"token": codes[0]}).status_code == 302
    assert first.get("/contacts/").status_code == 200
    second = password_sign_in("dpo")
    assert second.post("/account/two-factor/verify/", {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=cast["DPO"]).count() == 9


def test_the_next_address_never_leaves_the_site(cast):
    client = password_sign_in("dpo")
    client.session_username = "dpo"
    enrol(client)
    client = password_sign_in("dpo")
    device = TOTPDevice.objects.get(user=cast["DPO"], confirmed=True)

    response = client.post(
        "/account/two-factor/verify/", {"token": code_for(device, 1), "next": "https://evil.example"}
    )

    assert response["Location"] == "/"


def test_a_role_that_does_not_need_it_signs_in_without_but_may_enrol(cast):
    client = password_sign_in("support")
    client.session_username = "support"
    assert client.get("/contacts/").status_code == 200
    assert "two-factor-required" not in client.get("/account/two-factor/").text

    enrol(client)

    # once enrolled, Support too gives the code at sign-in
    assert password_sign_in("support").get("/contacts/").status_code == 302


def test_the_api_refuses_a_session_that_owes_the_code(cast):
    client = password_sign_in("sales")
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 403 and "second factor" in response.json()["detail"]


def test_reset_command_removes_the_devices(cast, capsys):
    client = password_sign_in("dpo")
    client.session_username = "dpo"
    enrol(client)

    call_command("reset_two_factor", "dpo")

    assert not TOTPDevice.objects.filter(user=cast["DPO"]).exists()
    assert password_sign_in("dpo").get("/contacts/")["Location"].startswith("/account/two-factor/?")
    assert AuditEvent.objects.get(action="auth.two_factor_reset").data == {"devices": 2}
