"""Every response carries a Content-Security-Policy; the API docs get their own."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import drf_spectacular
import pytest
from django.test import Client

from core.security import (
    API_DOCS_POLICY,
    BROWSABLE_API_POLICY,
    POLICY,
    SWAGGER_UI_STYLE_HASH,
    browsable_api_style_attributes,
)

SWAGGER_UI_TEMPLATE = Path(drf_spectacular.__file__).parent / "templates" / "drf_spectacular" / "swagger_ui.html"


@pytest.mark.django_db
def test_api_docs_carry_their_own_policy(sales_user):
    client = Client()
    client.force_login(sales_user)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == API_DOCS_POLICY
    assert "'unsafe-inline'" not in API_DOCS_POLICY
    assert "<script>" not in response.text  # the split view serves its init script from ?script=


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/api/schema/", "/api/docs/nowhere", "/healthz"])
def test_other_responses_carry_the_site_policy(client, url):
    assert client.get(url).headers["Content-Security-Policy"] == POLICY


def test_style_hash_matches_the_installed_swagger_ui_template():
    blocks = re.findall(r"<style>(.*?)</style>", SWAGGER_UI_TEMPLATE.read_text(), re.DOTALL)

    assert len(blocks) == 1
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == SWAGGER_UI_STYLE_HASH


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/contacts/", "/api/v1/contacts/0/"])
def test_the_rest_api_carries_the_browsable_api_policy(dpo_user, url):
    client = Client()
    client.force_login(dpo_user)
    assert client.get(url, HTTP_ACCEPT="text/html").headers["Content-Security-Policy"] == BROWSABLE_API_POLICY


def test_the_browsable_api_policy_allows_its_styles_by_hash_only():
    assert "float: right; margin-right: 10px" in browsable_api_style_attributes()
    assert "'unsafe-inline'" not in BROWSABLE_API_POLICY
    assert "script-src 'self';" in BROWSABLE_API_POLICY
