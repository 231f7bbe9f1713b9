"""The DPO review of the record of processing activities, the printable register and a breach, in a real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from access import roles
from core.subject_data import Category
from registry.choices import ActivityStatus, ReviewItem
from registry.models import ProcessingActivity
from registry.services import (
    CategoryInput,
    activity_approve,
    activity_create,
    activity_submit,
    breach_record,
    organisation_profile_save,
)

from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _approved_activity(dpo) -> ProcessingActivity:
    activity = activity_create(
        data={
            "name": "Newsletter",
            "main_purpose": "Send the monthly newsletter",
            "legal_basis": "consent",
            "subject_categories": ["customers"],
            "security_measures": ["access_control"],
        },
        categories=[CategoryInput(Category.CONTACT_DETAILS, "E-mail", "Until unsubscription")],
    )
    activity_submit(activity=activity)
    activity_approve(activity=activity, user=dpo, checklist=ReviewItem.values)
    return activity


def test_an_edited_approved_activity_falls_due_for_review_is_approved_again_and_the_diff_shows(dpo_user, login):
    # given an approved activity, and a second DPO (no one approves their own edit)
    activity = _approved_activity(dpo_user)
    second_dpo = UserFactory(username="dpo2", roles=[roles.DPO])
    page = login(dpo_user)

    # the DPO edits the approved entry
    page.goto(f"/registry/activities/{activity.pk}/")
    page.click("#activity-edit-link")
    assert page.locator("#edit-approved-warning").is_visible()
    page.fill("#id_main_purpose", "Send the monthly newsletter and event invitations")
    page.fill("#id_category_contact_details_retention", "3 years after unsubscription")
    with page.expect_navigation():
        page.click("#activity-save")
    assert page.inner_text("#activity-status") == "Due for review"
    assert ProcessingActivity.objects.get(pk=activity.pk).status == ActivityStatus.REVIEW_DUE

    # the second DPO reviews it: every checklist item, then approve
    page.context.clear_cookies()
    page = login(second_dpo)
    page.goto(f"/registry/activities/{activity.pk}/")
    with page.expect_navigation():
        page.click("#activity-approve")
    assert page.locator("#id_checklist_errors").is_visible()  # nothing ticked: refused, with the reason
    for box in page.locator("#approve-form input[name='checklist']").all():
        box.check()
    page.fill("#id_comment", "Invitations are within the newsletter's consent.")
    with page.expect_navigation():
        page.click("#activity-approve")
    assert page.inner_text("#activity-status") == "Approved"
    assert "dpo2" in page.inner_text("#approval-list")

    # the versions page shows what changed between the two approved versions, and who approved which
    page.click("#activity-history-link")
    edited = page.locator("#version-list [data-version]").filter(has_text="edited")
    diff = edited.first.locator(".diff-row").filter(has_text="Main purpose")
    assert diff.locator(".diff-old").inner_text() == "Send the monthly newsletter"
    assert diff.locator(".diff-new").inner_text() == "Send the monthly newsletter and event invitations"
    retention = edited.first.locator(".diff-row").filter(has_text="Categories and retention periods")
    assert retention.locator(".diff-old").inner_text() == "Contact details — E-mail — Until unsubscription"
    assert retention.locator(".diff-new").inner_text() == "Contact details — E-mail — 3 years after unsubscription"
    assert page.locator("#version-list").filter(has_text="Approved by dpo2").count() == 1
    assert page.locator("#version-list").filter(has_text="Approved by dpo").count() == 1


def test_the_printable_register_and_a_late_breach_render(dpo_user, login):
    organisation_profile_save(data={"controller_name": "Demo Org", "controller_email": "privacy@demo.example"})
    _approved_activity(dpo_user)
    breach = breach_record(
        data={"title": "Lost laptop", "aware_at": timezone.now() - timedelta(hours=75), "description": "Lost"}
    )
    page = login(dpo_user)
    page.goto("/registry/export/html/")
    assert "Demo Org" in page.inner_text("#register-header")
    assert page.locator("section[data-activity]").count() == 1
    page.goto(f"/registry/breaches/{breach.pk}/")
    assert page.inner_text("#breach-countdown").startswith("Late by 3 h")  # set by the live countdown script
    assert page.locator("#breach-late").is_visible()
