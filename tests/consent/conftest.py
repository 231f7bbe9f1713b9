"""Consent fixtures: one activity, a double opt-in newsletter and a prospection purpose, built through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from consent.models import ConsentWording, Purpose
from consent.services import purpose_save, wording_publish
from crm.models import Contact
from registry.choices import LegalBasis
from registry.models import ProcessingActivity

from ..factories import ContactFactory


@pytest.fixture
def activity(db: None) -> ProcessingActivity:
    return ProcessingActivity.objects.create(
        reference="ACT-T1", name="Newsletter", main_purpose="Send the newsletter", legal_basis=LegalBasis.CONSENT
    )


@pytest.fixture
def newsletter(activity: ProcessingActivity) -> Purpose:
    purpose = purpose_save(
        data={
            "key": "newsletter",
            "name": "Newsletter",
            "name_fr": "Lettre d'information",
            "activity": activity,
            "lawful_basis": LegalBasis.CONSENT,
            "channels": ["email"],
            "double_opt_in": True,
        }
    )
    wording_publish(purpose=purpose, language="en", text="Send me the monthly newsletter.")
    wording_publish(purpose=purpose, language="fr", text="Envoyez-moi la lettre mensuelle.")
    return purpose


@pytest.fixture
def prospection(activity: ProcessingActivity) -> Purpose:
    purpose = purpose_save(
        data={
            "key": "offers",
            "name": "Offers",
            "activity": activity,
            "lawful_basis": LegalBasis.LEGITIMATE_INTERESTS,
            "channels": ["email", "sms", "phone", "post"],
            "customer_offer": True,
        }
    )
    wording_publish(purpose=purpose, language="en", text="Send me offers.")
    return purpose


@pytest.fixture
def wording_en(newsletter: Purpose) -> ConsentWording:
    return newsletter.wordings.get(language="en")


@pytest.fixture
def make_contact(db: None) -> Callable[..., Contact]:
    def make(**kwargs: Any) -> Contact:
        return ContactFactory(**kwargs)

    return make
