"""The DPO signs in, lands on the compliance dashboard built from the demo data, sees the breach at 70 hours
with its live countdown and the alert for it, and clicks through to the breach; the charts draw, each with its table.

The journey also follows the overdue request of the requests panel, and finds every panel of the DPO's home.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core import figures
from retention.defaults import default_policies_load

from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_lands_on_the_dashboard_and_follows_the_breach_near_72_hours(login, roles_synced, console_errors):
    default_policies_load()  # as migrated: an earlier transactional test flushed them
    call_command("seed_demo", "--contacts", "60", stdout=StringIO())
    figures.figures_refresh()
    dpo = UserFactory(username="dpo-dashboard", roles=["DPO"])

    # signing in lands on the dashboard
    page = login(dpo)
    assert page.url.endswith("/dashboard/")

    # the breach known for 70 hours shows its live countdown: about 2 hours left, amber
    row = page.locator("#open-breaches li", has_text="Newsletter sent with recipients in copy")
    badge = row.locator("[data-countdown]")
    assert re.fullmatch(r"Due in [12] h \d\d min", badge.inner_text())
    assert "text-bg-warning" in (badge.get_attribute("class") or "")
    # and the alert list flags it, red
    alert = page.locator("#alerts [data-alert='breach']", has_text="Breach")
    assert "due in 1 h" in alert.inner_text()

    # every chart is drawn, each beside its table
    for canvas in page.locator("canvas[data-chart]").all():
        assert canvas.bounding_box()["height"] > 50
        table_id = canvas.get_attribute("data-chart") + "-table"
        assert page.locator(f"#{table_id} tbody tr").count() == 24

    # scripts/screenshot_dashboard.sh sets SCREENSHOT_DIR: the README's picture of the dashboard
    if os.environ.get("SCREENSHOT_DIR"):
        page.set_viewport_size({"width": 1400, "height": 900})
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(os.environ["SCREENSHOT_DIR"]) / "dashboard.png"), full_page=True)

    # the requests panel: the demo's overdue request is counted, flagged in the alerts, and opens its case
    overdue = page.locator("#panel-requests a[data-overdue]").first
    reference = overdue.inner_text()
    assert page.locator("#panel-requests [data-figure='overdue']").inner_text() != "0"
    assert page.locator("#alerts [data-alert='request']", has_text=reference).count() == 1
    with page.expect_navigation():
        overdue.click()
    assert "/requests/" in page.url and reference in page.locator("body").inner_text()
    page.go_back()
    # and every panel of the DPO's home is there
    for key in ("contacts", "requests", "breaches", "registry", "retention", "consent", "duplicates", "sign-in"):
        assert page.locator(f"#panel-{key}").count() == 1, key

    # clicking the breach opens it
    with page.expect_navigation():
        row.locator("a").click()
    assert "/registry/breaches/" in page.url
    assert (
        page.locator("h1").inner_text().endswith("Newsletter sent with recipients in copy")
        or page.locator("text=Newsletter sent with recipients in copy").count()
    )
    assert console_errors == []
