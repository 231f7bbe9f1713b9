"""Fixtures of the dsar tests (fulfilment part: a consent purpose to object to)."""

from __future__ import annotations

import pytest

from consent.models import ConsentWording, Purpose
from consent.services import purpose_save, wording_publish
from registry.choices import LegalBasis
from registry.models import ProcessingActivity


@pytest.fixture
def newsletter(db: None) -> Purpose:
    activity = ProcessingActivity.objects.create(
        reference="ACT-NL", name="Newsletter", main_purpose="Send the newsletter", legal_basis=LegalBasis.CONSENT
    )
    purpose = purpose_save(
        data={
            "key": "newsletter",
            "name": "Newsletter",
            "activity": activity,
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email"],
        }
    )
    wording_publish(purpose=purpose, language="en", text="Send me the monthly newsletter.")
    return purpose


@pytest.fixture
def wording_en(newsletter: Purpose) -> ConsentWording:
    return newsletter.wordings.get(language="en")
