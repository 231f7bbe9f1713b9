"""The staff navigation and the areas behind it follow the role table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access import roles
from core.navigation import AREAS, areas_for, open_areas

from ..access.test_roles import EXPECTED_PERMISSIONS
from ..conftest import CAST, OUTSIDER

EXPECTED = {
    role: {area.key for area in open_areas() if area.permission in EXPECTED_PERMISSIONS[role]} for role in roles.ROLES
} | {OUTSIDER: set()}
# Areas whose apps have no pages yet: never in the menu, their address answers "not found".
UNBUILT: set[str] = set()


def test_the_expectation_matches_the_spec():
    # guards the derivation above against a renamed area or permission
    assert EXPECTED[roles.SALES] == {"contacts", "consents"}
    assert EXPECTED[roles.SUPPORT] == {"contacts", "requests", "outbox"}
    assert EXPECTED[roles.DPO] == {area.key for area in open_areas()} == EXPECTED[roles.AUDITOR]
    assert len(AREAS) == 7


def test_only_registered_areas_are_open():
    assert {area.key for area in open_areas()} == {area.key for area in AREAS} - UNBUILT


def test_an_unknown_area_cannot_be_registered():
    from core import navigation

    with pytest.raises(ValueError, match="unknown area"):
        navigation.register("billing")


@pytest.mark.parametrize("role", CAST)
def test_areas_for_lists_the_role_areas(cast, role):
    assert [area.key for area in areas_for(cast[role])] == [
        area.key for area in open_areas() if area.key in EXPECTED[role]
    ]


def test_an_app_that_registers_its_area_appears_in_the_menu(monkeypatch, cast):
    from core import navigation

    monkeypatch.setattr(navigation, "_registered", navigation._registered | {"requests"})
    assert "requests" in [area.key for area in areas_for(cast[roles.DPO])]
    assert "requests" not in [area.key for area in areas_for(cast[roles.SALES])]


@pytest.mark.parametrize("key", sorted(UNBUILT))
def test_an_unbuilt_area_answers_not_found_to_its_roles(role_client, key):
    area = next(area for area in AREAS if area.key == key)
    assert role_client(roles.DPO).get(reverse(area.url_name)).status_code == 404


def test_anonymous_visitors_get_no_area():
    from django.contrib.auth.models import AnonymousUser

    assert areas_for(AnonymousUser()) == []


@pytest.mark.parametrize("role", CAST)
def test_each_area_opens_for_its_roles_only(role_client, role):
    client = role_client(role)
    for area in open_areas():
        status = client.get(reverse(area.url_name)).status_code
        assert status == (200 if area.key in EXPECTED[role] else 403), (role, area.key, status)


def test_an_anonymous_visitor_sees_no_contact(client, contact):
    response = client.get(reverse("crm:contact_list"))
    assert response.status_code in (302, 403)  # login redirect or refusal, never the list
    assert contact.last_name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/contacts/", "/dashboard/", "/outbox/", "/registry/", "/fr/contacts/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
