"""Every response carries a Content-Security-Policy; the API docs get their own."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import drf_spectacular
import pytest
from django.test import Client

from core.security import API_DOCS_POLICY, POLICY, SWAGGER_UI_STYLE_HASH

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
