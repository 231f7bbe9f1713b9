"""Staff pages of the registry: forms with field errors, the edit that sends an entry back, CON-02 purposes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import Disclosure
from registry.choices import ActivityStatus, ReviewItem
from registry.models import ProcessingActivity

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db


def _form_data(activity: ProcessingActivity, **changes) -> dict:
    data = {
        "reference": activity.reference,
        "name": activity.name,
        "role": activity.role,
        "main_purpose": activity.main_purpose,
        "legal_basis": activity.legal_basis,
        "legal_basis_detail": activity.legal_basis_detail,
        "subject_categories": activity.subject_categories,
        "security_measures": activity.security_measures,
        "dpia_status": activity.dpia_status,
        "category_identity": "on",
        "category_identity_retention": "3 years after the last contact",
        "category_identity_description": "Names",
        "category_identity_retention_fr": "3 ans après le dernier contact",
    }
    return {**data, **changes}


def test_a_new_activity_without_a_name_or_purpose_gets_field_errors(client, dpo_user):
    client.force_login(dpo_user)
    response = client.post(reverse("registry:activity_create"), {"role": "controller", "dpia_status": "not_required"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_errors"' in page and 'id="id_main_purpose_errors"' in page
    assert not ProcessingActivity.objects.exists()


def test_creating_an_activity_through_the_form_gives_it_the_next_reference(client, admin_role_user, make_activity):
    make_activity()
    client.force_login(admin_role_user)
    activity = ProcessingActivity.objects.get()
    response = client.post(reverse("registry:activity_create"), _form_data(activity, reference="", name="Events"))
    created = ProcessingActivity.objects.get(name="Events")
    assert response.status_code == 302 and created.reference == "ACT-002"
    assert created.status == ActivityStatus.DRAFT and created.last_editor == admin_role_user
    assert created.history.latest().history_user_id == admin_role_user.pk


def test_editing_an_approved_activity_in_the_form_sends_it_back_for_review(client, make_activity, dpo_user, second_dpo):
    activity = make_activity(approver=dpo_user)
    client.force_login(dpo_user)
    response = client.post(
        reverse("registry:activity_edit", args=[activity.pk]), _form_data(activity, main_purpose="Trade fairs")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.REVIEW_DUE and activity.main_purpose == "Trade fairs"
    # the editing DPO's approval is refused on the page; the second DPO's goes through
    approve = reverse("registry:activity_approve", args=[activity.pk])
    refused = client.post(approve, {"checklist": ReviewItem.values})
    assert refused.status_code == 200 and "another DPO" in refused.content.decode()
    client.force_login(second_dpo)
    assert client.post(approve, {"checklist": ReviewItem.values}).status_code == 302
    assert ProcessingActivity.objects.get(pk=activity.pk).status == ActivityStatus.APPROVED


def test_the_auditor_reads_but_cannot_approve(client, make_activity, auditor_user):
    activity = make_activity()
    client.force_login(auditor_user)
    page = client.get(reverse("registry:activity_detail", args=[activity.pk])).content.decode()
    assert 'id="approve-form"' not in page and 'id="activity-edit-link"' not in page
    assert client.post(reverse("registry:activity_approve", args=[activity.pk])).status_code == 403


def test_the_export_form_offers_approved_activities_as_purposes(client, make_activity, dpo_user, marketing_user):
    approved = make_activity(approver=dpo_user, name="Trade fair invitations")
    draft = make_activity(name="Unapproved")
    ContactFactory()
    client.force_login(marketing_user)
    page = client.get(reverse("crm:contact_export")).content.decode()
    assert f'value="{approved.reference}"' in page and f'value="{draft.reference}"' not in page
    terms = {"format": "csv", "reason": "Partner sends invitations", "recipient_kind": "internal"}
    refused = client.post(reverse("crm:contact_export"), {**terms, "purpose_activity": draft.reference})
    assert refused.status_code == 400 and 'id="id_purpose_activity_errors"' in refused.content.decode()
    response = client.post(reverse("crm:contact_export"), {**terms, "purpose_activity": approved.reference})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert Disclosure.objects.get().purpose == str(approved)


def test_another_purpose_must_be_written_out(client, make_activity, dpo_user, marketing_user):
    make_activity(approver=dpo_user)
    client.force_login(marketing_user)
    terms = {"format": "csv", "reason": "One-off audit", "recipient_kind": "internal", "purpose_activity": "other"}
    refused = client.post(reverse("crm:contact_export"), terms)
    assert refused.status_code == 400 and 'id="id_purpose_errors"' in refused.content.decode()


def test_recipients_and_the_organisation_profile_are_edited_in_the_staff_ui(client, dpo_user):
    client.force_login(dpo_user)
    response = client.post(
        reverse("registry:recipient_create"), {"name": "Cloud", "kind": "processor", "country": "zz1"}
    )
    assert response.status_code == 400 and 'id="id_country_errors"' in response.content.decode()
    response = client.post(
        reverse("registry:recipient_create"), {"name": "Cloud", "kind": "processor", "country": " us "}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("registry:profile_edit"),
        {
            "controller_name": "Org",
            "controller_email": "org@example.org",
            "authority_name": "CNIL",
            "authority_url": "https://www.cnil.fr",
            "review_period_months": "0",
        },
    )
    assert response.status_code == 400 and 'id="id_review_period_months_errors"' in response.content.decode()
