"""Each role sees exactly the areas its purpose needs (DESIGN.md invariant 6)."""

from __future__ import annotations

import pytest

from access import roles
from core.navigation import open_areas

from ..conftest import OUTSIDER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_AREAS = {
    "contacts",
    "consents",
    "dashboard",
    "outbox",
    "registry",
    "retention",
    "requests",
}  # the areas that have pages; the others are not shown yet
# The spec, from core/roles.py, written out so the test fails when either side drifts.
EXPECTED_AREAS = {
    roles.ADMINISTRATOR: ALL_AREAS,
    roles.DPO: ALL_AREAS,
    roles.AUDITOR: ALL_AREAS,
    roles.SALES: {"contacts", "consents"},
    roles.MARKETING: {"contacts", "consents"},
    roles.SUPPORT: {"contacts", "requests", "outbox"},
}


def _nav_areas(page) -> list[str]:
    return page.locator("#main-nav a[data-area]").evaluate_all("links => links.map(a => a.dataset.area)")


@pytest.mark.parametrize("role", roles.ROLES)
def test_nav_shows_exactly_the_role_areas(cast, login, role):
    user = cast[role]
    permitted = {area.key for area in open_areas() if user.has_perm(area.permission)}
    assert permitted == EXPECTED_AREAS[role]

    page = login(user)
    page.goto("/")

    shown = _nav_areas(page)
    assert len(shown) == len(set(shown))
    assert set(shown) == EXPECTED_AREAS[role]


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_shown_area_opens(cast, login, role):
    page = login(cast[role])
    page.goto("/")
    hrefs = page.locator("#main-nav a[data-area]").evaluate_all("links => links.map(a => a.getAttribute('href'))")

    for href in hrefs:
        response = page.goto(href)
        assert response.status == 200, href


def test_outsider_sees_no_area_and_is_refused_contacts(cast, login, console_errors):
    page = login(cast[OUTSIDER])
    page.goto("/")
    assert _nav_areas(page) == []

    response = page.goto("/contacts/")

    assert response.status == 403
    # the browser logs the 403 itself; that is the expected outcome, not a page error
    console_errors[:] = [error for error in console_errors if "403" not in error]
