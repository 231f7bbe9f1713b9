"""Registry fixtures: recipients and activities built through the services, and a second DPO."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from access import roles
from core.subject_data import Category
from registry.choices import ActivityStatus, LegalBasis, ReviewItem, SecurityMeasure, SubjectCategory
from registry.models import ProcessingActivity, Recipient
from registry.services import (
    CategoryInput,
    activity_approve,
    activity_create,
    activity_submit,
    recipient_save,
)

from ..factories import UserFactory

ALL_CHECKS = list(ReviewItem.values)


@pytest.fixture
def second_dpo(roles_synced: None) -> Any:
    return UserFactory(username="dpo2", roles=[roles.DPO])


@pytest.fixture
def make_recipient(db: None) -> Callable[..., Recipient]:
    def make(name: str = "Hosting Co", **data: Any) -> Recipient:
        return recipient_save(data={"name": name, "kind": "processor", "country": "FR", **data})

    return make


def activity_data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Prospection",
        "name_fr": "Prospection commerciale",
        "main_purpose": "Contact professional prospects",
        "main_purpose_fr": "Contacter des prospects professionnels",
        "legal_basis": LegalBasis.LEGITIMATE_INTERESTS,
        "legal_basis_detail": "Business development",
        "subject_categories": [SubjectCategory.PROSPECTS],
        "security_measures": [SecurityMeasure.ACCESS_CONTROL],
        **overrides,
    }


IDENTITY = CategoryInput(Category.IDENTITY, "Names", "3 years after the last contact", "3 ans après le dernier contact")


@pytest.fixture
def make_activity(db: None) -> Callable[..., ProcessingActivity]:
    """`make_activity(approver=dpo, **fields)`: a submitted (and, with an approver, approved) activity."""

    def make(
        *,
        approver: Any = None,
        categories: list[CategoryInput] | None = None,
        recipients: list[Recipient] | None = None,
        **overrides: Any,
    ) -> ProcessingActivity:
        activity = activity_create(
            data=activity_data(**overrides), categories=categories or [IDENTITY], recipients=recipients or []
        )
        activity = activity_submit(activity=activity)
        if approver is not None:
            activity_approve(activity=activity, user=approver, checklist=ALL_CHECKS)
            activity.refresh_from_db()
            assert activity.status == ActivityStatus.APPROVED
        return activity

    return make
