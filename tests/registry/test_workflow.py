"""The DPO review workflow (REG-02, REG-03, REG-06, REG-07, SEC-10): submit, approve, edit, review due, diff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import deadlines
from core.models import AuditEvent
from core.subject_data import Category
from registry.choices import ActivityStatus, DpiaCriterion, ReviewItem, TransferMechanism
from registry.models import ActivityApproval, ProcessingActivity
from registry.selectors import activity_versions
from registry.services import (
    CategoryInput,
    activity_approve,
    activity_comment_add,
    activity_create,
    activity_request_changes,
    activity_submit,
    activity_update,
    organisation_profile_save,
)

from .conftest import ALL_CHECKS, activity_data

pytestmark = pytest.mark.django_db


def test_a_category_without_a_retention_period_cannot_be_submitted():
    activity = activity_create(data=activity_data(), categories=[CategoryInput(Category.IDENTITY, "Names", "")])
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity)
    assert "data_categories" in refused.value.message_dict
    assert ProcessingActivity.objects.get(pk=activity.pk).status == ActivityStatus.DRAFT


def test_sensitive_data_need_an_art9_condition_and_a_controller_needs_a_legal_basis():
    activity = activity_create(
        data=activity_data(legal_basis="", sensitive_data=["health"]),
        categories=[CategoryInput(Category.SPECIAL, "Allergies", "1 year")],
    )
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity)
    assert {"legal_basis", "art9_condition"} <= set(refused.value.message_dict)


def test_a_recipient_outside_the_eea_without_a_safeguard_blocks_submission_and_approval(
    make_recipient, make_activity, dpo_user
):
    # given an activity whose processor is in the US with no transfer mechanism (SEC-10)
    processor = make_recipient("US mailer", country="US")
    activity = activity_create(data=activity_data(), categories=[CategoryInput(Category.IDENTITY, "", "1 year")])
    activity.recipients.set([processor])
    # when / then
    with pytest.raises(ValidationError) as refused:
        activity_submit(activity=activity)
    assert "US mailer" in " ".join(refused.value.message_dict["recipients"])
    processor.transfer_mechanism = TransferMechanism.SCC
    processor.save()
    activity_submit(activity=activity)
    approval = activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS)
    assert approval.approved_by == dpo_user


def test_only_a_dpo_approves(make_activity, admin_role_user, auditor_user):
    activity = make_activity()
    for user in (admin_role_user, auditor_user):
        with pytest.raises(PermissionDenied):
            activity_approve(activity=activity, user=user, checklist=ALL_CHECKS)
    assert ProcessingActivity.objects.get(pk=activity.pk).status == ActivityStatus.SUBMITTED


def test_approval_needs_every_checklist_item(make_activity, dpo_user):
    activity = make_activity()
    with pytest.raises(ValidationError) as refused:
        activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS[:-1])
    assert str(ReviewItem.RIGHTS.label) in " ".join(refused.value.message_dict["checklist"])


def test_two_dpia_criteria_block_approval_until_a_dpia_is_attached(make_activity, dpo_user):
    # REG-07: "large scale" + "matching datasets"
    activity = make_activity(dpia_criteria=[DpiaCriterion.LARGE_SCALE, DpiaCriterion.MATCHING])
    with pytest.raises(ValidationError) as refused:
        activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS)
    assert "dpia_reference" in refused.value.message_dict
    activity_update(
        activity=activity,
        data={"dpia_reference": "DPIA-2026-01.pdf", "dpia_date": deadlines.local_today(), "dpia_dpo_advice": "OK"},
    )
    activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS)


def test_approval_sets_the_next_review_from_the_configured_period_and_records_who_approved_which_version(
    make_activity, dpo_user
):
    organisation_profile_save(
        data={"controller_name": "Org", "controller_email": "a@example.org", "review_period_months": 6}
    )
    activity = make_activity()
    approval = activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS, comment="Fine")
    activity.refresh_from_db()
    assert activity.next_review_at == deadlines.add_months(deadlines.local_today(), 6)
    assert approval.history_id == activity.history.latest().history_id
    assert (approval.approved_by_label, approval.comment) == (dpo_user.username, "Fine")
    event = AuditEvent.objects.get(action="registry.activity_approved")
    assert event.object_id == str(activity.pk) and event.actor_label


def test_editing_an_approved_entry_makes_it_due_for_review_and_its_editor_cannot_approve_it(
    make_activity, dpo_user, second_dpo
):
    activity = make_activity(approver=dpo_user)
    # when the DPO edits the approved entry
    activity_update(activity=activity, data={"main_purpose": "Contact prospects at trade fairs"}, user=dpo_user)
    activity.refresh_from_db()
    # then it falls back to "due for review" and the register in force no longer lists it
    assert activity.status == ActivityStatus.REVIEW_DUE
    assert not ProcessingActivity.objects.approved().filter(pk=activity.pk).exists()
    # and the editor may not approve their own edit (REG-06); a second DPO may
    with pytest.raises(ValidationError) as refused:
        activity_approve(activity=activity, user=dpo_user, checklist=ALL_CHECKS)
    assert "__all__" in refused.value.message_dict
    activity_approve(activity=activity, user=second_dpo, checklist=ALL_CHECKS)
    assert ActivityApproval.objects.filter(activity=activity).count() == 2


def test_an_unchanged_edit_writes_nothing(make_activity, dpo_user):
    activity = make_activity(approver=dpo_user)
    versions = activity.history.count()
    activity_update(activity=activity, data={"name": activity.name}, categories=None)
    assert activity.history.count() == versions
    assert ProcessingActivity.objects.get(pk=activity.pk).status == ActivityStatus.APPROVED


def test_an_approved_entry_is_due_for_review_once_its_review_date_passes(make_activity, dpo_user):
    activity = make_activity(approver=dpo_user)
    today = deadlines.local_today()
    assert not activity.review_due_on(today)
    later = activity.next_review_at
    assert activity.review_due_on(later)
    assert list(ProcessingActivity.objects.due_for_review(later)) == [activity]
    assert list(ProcessingActivity.objects.due_for_review(later - timedelta(days=1))) == []


def test_the_version_diff_names_the_changed_fields_with_old_and_new_values(make_activity, dpo_user):
    activity = make_activity(approver=dpo_user)
    activity_update(activity=activity, data={"main_purpose": "New purpose", "subject_categories": ["customers"]})
    latest = activity_versions(activity)[0]
    changes = {change.label: (change.old, change.new) for change in latest.changes}
    assert changes["Main purpose"] == ("Contact professional prospects", "New purpose")
    assert changes["Categories of data subjects"] == ("Prospects", "Customers")
    assert "Updated at" not in changes


def test_a_new_retention_period_and_a_new_recipient_show_in_the_diff_as_one_version(make_activity, make_recipient):
    activity = make_activity()
    versions_before = activity.history.count()
    partner = make_recipient("Partner X", kind="partner", country="DE")
    activity_update(
        activity=activity,
        data={},
        categories=[CategoryInput(Category.IDENTITY, "Names", "1 year after the last contact")],
        recipients=[partner],
    )
    assert activity.history.count() == versions_before + 1
    changes = {change.label: (change.old, change.new) for change in activity_versions(activity)[0].changes}
    assert changes["Categories and retention periods"] == (
        "Identity — Names — 3 years after the last contact",
        "Identity — Names — 1 year after the last contact",
    )
    assert changes["Recipients"] == ("—", "Partner X")


def test_changes_requested_need_a_comment_and_send_the_entry_back(make_activity, dpo_user, admin_role_user):
    activity = make_activity()
    with pytest.raises(ValidationError):
        activity_request_changes(activity=activity, user=dpo_user, comment=" ")
    activity_request_changes(activity=activity, user=dpo_user, comment="Name the retention start event")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CHANGES_REQUESTED
    assert activity.comments.get().body == "Name the retention start event"
    activity_comment_add(activity=activity, user=admin_role_user, body="Done")
    assert [c.author_label for c in activity.comments.all()] == [dpo_user.username, admin_role_user.username]
    activity_submit(activity=activity)


def test_an_approved_entry_is_not_approved_again_before_it_is_due(make_activity, dpo_user, second_dpo):
    activity = make_activity(approver=dpo_user)
    with pytest.raises(ValidationError):
        activity_approve(activity=activity, user=second_dpo, checklist=ALL_CHECKS)
    assert ActivityApproval.objects.filter(activity=activity).count() == 1


def test_versions_are_numbered_per_entry_and_name_the_approver(make_activity, dpo_user):
    make_activity(approver=dpo_user)  # another entry's versions do not count
    activity = make_activity(approver=dpo_user)
    versions = activity_versions(activity)
    assert [version.number for version in versions] == [3, 2, 1]  # created, submitted, approved
    approval = {change.label: change.new for change in versions[0].changes}
    assert approval["Approved by"] == dpo_user.username
    assert approval["Next review"] == activity.next_review_at.isoformat()
