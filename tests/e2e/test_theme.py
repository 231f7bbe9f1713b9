"""The theme holds on the pages a new user tripped over: pills in the accent colour, a one-row header on a phone."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCENT = "rgb(15, 118, 110)"  # --app-accent in static/css/app.css


def test_the_art19_status_pill_uses_the_theme_colour(login, dpo_user):
    page = login(dpo_user)
    page.goto("/contacts/art19/")
    active = page.locator("#task-status-filter .nav-link.active")
    assert active.evaluate("link => getComputedStyle(link).backgroundColor") == ACCENT
    idle = page.locator("#task-status-filter .nav-link:not(.active)").first
    assert idle.evaluate("link => getComputedStyle(link).color") == ACCENT


def test_on_a_phone_the_header_is_one_row_and_its_menu_opens(login, dpo_user):
    page = login(dpo_user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/contacts/")
    topbar = page.locator(".app-topbar")
    assert topbar.evaluate("bar => bar.getBoundingClientRect().height") < 60
    assert not page.locator("#header-tools").is_visible()
    nav = page.locator(".app-nav")
    assert nav.evaluate("nav => nav.scrollWidth <= nav.clientWidth")

    page.get_by_role("button", name="Menu").click()
    page.locator("#header-tools").wait_for(state="visible")
    assert page.get_by_role("button", name="Log out").is_visible()
