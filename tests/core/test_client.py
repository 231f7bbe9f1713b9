"""The client's address: a header the client wrote is never believed; behind N proxies, the one they saw."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from core.client import client_address

SPOOFED = "203.0.113.9"  # what a client writes in its own X-Forwarded-For


def _request(forwarded: str) -> object:
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, SPOOFED, "10.0.0.2"),  # no proxy: the header is the client's own
        (1, f"{SPOOFED}, 198.51.100.7", "198.51.100.7"),  # the proxy appended what it saw
        (2, f"{SPOOFED}, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (3, "198.51.100.7", "198.51.100.7"),  # fewer hops than proxies: the leftmost
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_the_address_is_the_one_the_outermost_trusted_proxy_saw(settings, monkeypatch, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    monkeypatch.setattr(api_settings, "NUM_PROXIES", proxies)
    request = _request(forwarded)

    assert client_address(request) == expected
    if forwarded in (SPOOFED, "198.51.100.7") or "," in forwarded:  # well-formed: DRF's throttles agree
        assert AnonRateThrottle().get_ident(Request(request)) == expected


def test_the_api_throttles_ignore_a_forwarded_header_by_default():
    assert api_settings.NUM_PROXIES == 0
    assert AnonRateThrottle().get_ident(Request(_request(SPOOFED))) == "10.0.0.2"
