"""The DPO previews the prospect policy on the demo data, approves it and watches the purge finish, in a real browser
with a real worker on the purge queue."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from crm.models import Contact
from retention.defaults import default_policies_load
from retention.models import PurgeRun, RunStatus

from ..factories import UserFactory
from ..retention.test_worker_kill import _start_worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_dpo_previews_approves_and_watches_the_prospect_purge(login, tmp_path, roles_synced):
    from config.celery import app

    app.control.purge()
    default_policies_load()  # as migrated: an earlier transactional test flushed them
    call_command("seed_demo", "--contacts", "80", stdout=StringIO())
    dpo = UserFactory(username="dpo-journey", roles=["DPO"])
    page = login(dpo)

    # the policy list shows the legal reference; the DPO asks for the prospect policy's preview
    page.goto("/retention/")
    row = page.locator("#policy-table tr[data-policy='prospects']")
    assert "référentiel" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Preview").click()
    run = PurgeRun.objects.get(policy__key="prospects")  # (the demo also holds a history of finished runs)
    assert run.status == RunStatus.AWAITING_APPROVAL and run.expected > 0
    assert page.locator("#preview-table").is_visible()
    assert page.locator("#preview-sample li").count() == min(10, run.expected)

    # approving queues the run; the worker purges it batch by batch while the bar fills up
    with (tmp_path / "worker.log").open("w") as log:
        worker = _start_worker(log)
        try:
            with page.expect_navigation():
                page.click("#run-approve")
            page.wait_for_selector("#run-progress[data-status='done']", timeout=60_000)
        finally:
            worker.terminate()
            worker.wait(timeout=15)
    assert page.inner_text("#run-percent") == "100"
    assert page.locator("#run-counts tr[data-table='crm.Contact']").is_visible()
    run.refresh_from_db()
    assert run.processed == run.expected
    assert not Contact.objects.filter(pk__in=run.sample_ids).exists()

    # a second run finds nothing to purge
    page.goto("/retention/")
    with page.expect_navigation():
        page.locator("#policy-table tr[data-policy='prospects']").get_by_role("button", name="Preview").click()
    assert PurgeRun.objects.latest("pk").expected == 0
    assert "0 contacts to purge" in page.content()
