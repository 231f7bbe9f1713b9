"""Demo data look like a CRM in use: creation, interactions and history spread over the last 24 months."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.models import Contact, ContactPoint, Interaction
from crm.selectors import contacts_created_per_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD_SEED", "test-seed")
    call_command("seed_demo", "--contacts", "120", stdout=StringIO())
    return timezone.now()


def test_contacts_are_created_over_the_last_24_months(demo):
    created = list(Contact.objects.values_list("created_at", flat=True))
    assert min(created) >= demo - timedelta(days=731) and max(created) <= demo
    assert min(created) < demo - timedelta(days=365)  # some are older than the chart's year
    months = {(moment.year, moment.month) for moment in created}
    assert len(months) >= 15
    assert sum(1 for _month, count in contacts_created_per_month(months=12) if count) >= 10


def test_history_follows_the_dates(demo):
    for contact in Contact.objects.all()[:40]:
        first = contact.history.order_by("history_id").first()
        assert first.history_type == "+" and first.history_date == contact.created_at
        assert contact.collected_at <= contact.created_at
        for point in ContactPoint.objects.filter(contact=contact):
            assert point.history.earliest("history_id").history_date == contact.created_at
    interactions = Interaction.objects.all()
    assert interactions.exists()
    for interaction in interactions[:40]:
        assert interaction.occurred_at >= interaction.contact.created_at
        assert interaction.history.earliest("history_id").history_date == interaction.occurred_at
