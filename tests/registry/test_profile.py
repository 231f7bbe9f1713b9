"""The register's header and its recipients: saved through services that record who changed what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from registry.models import Recipient
from registry.selectors import organisation_profile
from registry.services import organisation_profile_save, recipient_save

pytestmark = pytest.mark.django_db


def test_until_it_is_filled_the_header_names_the_controller_from_the_settings(settings):
    settings.CONTROLLER_NAME, settings.CONTROLLER_CONTACT = "Acme SAS", "privacy@acme.example"
    profile = organisation_profile()
    assert (profile.pk, profile.controller_name, profile.controller_email) == (None, "Acme SAS", "privacy@acme.example")


def test_a_recipient_change_is_recorded_once_and_an_unchanged_save_records_nothing():
    recipient = recipient_save(data={"name": "Mailer", "kind": "processor", "country": " us "})
    assert recipient.country == "US" and recipient.third_country
    recipient_save(recipient=recipient, data={"name": "Mailer", "transfer_mechanism": "scc"})
    recipient_save(recipient=recipient, data={"name": "Mailer", "transfer_mechanism": "scc"})
    events = list(AuditEvent.objects.filter(object_type="registry.Recipient").order_by("pk"))
    assert [(e.action, e.data["fields"]) for e in events][1:] == [
        ("registry.recipient_updated", ["transfer_mechanism"])
    ]
    assert Recipient.objects.get().history.count() == 2


def test_bad_profile_input_is_refused_by_field():
    with pytest.raises(ValidationError) as refused:
        organisation_profile_save(data={"controller_name": "", "dpo_email": "not an address"})
    assert {"controller_name", "dpo_email"} <= set(refused.value.message_dict)
