"""Every answer of every URL pattern, error pages and public pages included, carries the security headers.

The crawl reuses the authorisation matrix's machinery (tests/test_authorisation.py): every URL pattern of the
project, its parameters filled with objects of the same world, fetched with GET by a DPO (who reaches the most
pages), by a user without a role (refusals) and by an anonymous visitor (public pages, login redirects).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from core.security import PERMISSIONS_POLICY
from tests.test_authorisation import (
    ANONYMOUS,
    DPO,
    OUTSIDER,
    SPEC,
    accepted_methods,
    build_world,
    client_for,
    concrete_url,
    parameters,
    request,
    url_patterns,
)


def directive(policy: str, name: str) -> str:
    """The value of one CSP directive ("" when absent); script-src falls back to default-src."""
    directives = dict((part.strip() + " ").split(" ", 1) for part in policy.split(";") if part.strip())
    return directives.get(name, directives.get("default-src", "")).strip()


def header_problems(response: HttpResponse) -> list[str]:
    problems = []
    policy = response.headers.get("Content-Security-Policy", "")
    if not policy:
        problems.append("no Content-Security-Policy")
    script_src = directive(policy, "script-src")
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src or not script_src:
        problems.append(f"script-src allows inline or eval scripts: {script_src!r}")
    if "frame-ancestors 'none'" not in policy:
        problems.append("framing allowed")
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}, without no-store")
    # Pages reached by a link that carries a token send no referrer at all (stricter than the site's).
    if response.headers.get("Referrer-Policy") not in {"same-origin", "no-referrer"}:
        problems.append(f"Referrer-Policy is {response.headers.get('Referrer-Policy')!r}")
    if response.headers.get("Permissions-Policy") != PERMISSIONS_POLICY:
        problems.append("no Permissions-Policy")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    return problems


def crawl(client: Client, world: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for pattern in url_patterns():
        if "GET" not in accepted_methods(pattern.entry):
            continue
        spec = SPEC[pattern.spec_key]
        if spec.target and spec.target not in world:
            continue
        target = {"object": world[spec.target]} if spec.target else None
        url = concrete_url(pattern, parameters(target, pattern.route))
        response = request(client, "GET", url)
        problems = header_problems(response)
        if problems:
            found[f"GET {url} ({response.status_code})"] = problems
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", [DPO, OUTSIDER, ANONYMOUS])
def test_every_url_pattern_answers_with_the_security_headers(role, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(cast, role)

    found = crawl(client_for(role, cast), world.theirs)

    assert found == {}, "\n".join(f"{where}: {', '.join(problems)}" for where, problems in found.items())


@pytest.mark.django_db
def test_error_pages_carry_the_security_headers(cast, settings):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    anonymous = Client(raise_request_exception=False)
    outsider = client_for(OUTSIDER, cast)

    answers = {
        "404": anonymous.get("/nowhere/"),
        "404 in French": anonymous.get("/fr/nowhere/"),
        "404 of the API": anonymous.get("/api/v1/nowhere/"),
        "403": outsider.get("/dashboard/"),
        "500": anonymous.get("/failing/"),
        "400 for a NUL byte": anonymous.get("/login/", {"next": "a\x00b"}),
        "403 CSRF": Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"}),
    }

    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {
        "404": 404,
        "404 in French": 404,
        "404 of the API": 404,
        "403": 403,
        "500": 500,
        "400 for a NUL byte": 400,
        "403 CSRF": 403,
    }
    problems = {name: header_problems(response) for name, response in answers.items()}
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.django_db
def test_a_page_with_personal_data_is_not_kept_by_the_browser(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(cast, DPO)
    client = client_for(DPO, cast)
    contact = world.theirs["contact"]

    page = client.get(f"/contacts/{contact.pk}/")
    api = client.get(f"/api/v1/contacts/{contact.pk}/")

    assert contact.last_name in page.text and contact.last_name in api.text
    assert "no-store" in page["Cache-Control"] and "no-store" in api["Cache-Control"]
    assert "public" not in page["Cache-Control"]


def test_the_site_policy_refuses_inline_scripts():
    from core.security import API_DOCS_POLICY, BROWSABLE_API_POLICY, POLICY

    for policy in (POLICY, API_DOCS_POLICY, BROWSABLE_API_POLICY):
        assert directive(policy, "script-src") == "'self'"
