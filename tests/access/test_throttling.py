"""The API's throttles: per key, and per address for callers without valid credentials (before any 401)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.crm.api_clients import key_api

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


@pytest.fixture
def anon_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"},
    }


def test_anonymous_callers_are_throttled_by_address_before_being_told_401(anon_rate):
    client = APIClient()

    answers = [client.get(URL).status_code for _ in range(4)]

    assert answers == [401, 401, 401, 429]
    throttled = client.get(URL)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert set(throttled.json()) == {"detail"}


def test_guessing_keys_counts_against_the_address(anon_rate):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="crm_abcdefgh_" + "x" * 43)

    answers = [client.get(URL).status_code for _ in range(4)]

    assert answers == [401, 401, 401, 429]


def test_a_valid_key_is_not_counted_as_anonymous(anon_rate, settings):
    settings.API_KEY_THROTTLE_RATE = "2/minute"
    _key, client = key_api("contacts:read")

    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert APIClient().get(URL).status_code == 401  # the key's requests did not use up the address's quota


def test_the_api_root_counts_too(anon_rate):
    client = APIClient()

    answers = [client.get(path).status_code for path in ("/api/v1/", "/api/v1/", "/api/v1/", "/api/v1/")]

    assert answers[-1] == 429
