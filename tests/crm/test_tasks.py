from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from crm.models import Contact
from crm.services import contact_delete
from crm.tasks import purge_deleted_contacts

from ..factories import ContactFactory


@pytest.mark.django_db
def test_purge_erases_contacts_deleted_more_than_30_days_ago_and_keeps_the_others():
    # given one contact deleted 31 days ago, one deleted yesterday and one live
    old, recent, live = ContactFactory(), ContactFactory(), ContactFactory()
    for contact in (old, recent):
        contact_delete(contact=contact, reason="duplicate")
    Contact.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))

    # when the purge task runs (called as a function)
    erased = purge_deleted_contacts()

    # then only the old one is erased, with its history, and the erasure is on record
    assert erased == 1
    assert set(Contact.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not Contact.history.filter(id=old.pk).exists()
    assert AuditEvent.objects.filter(action="subject.erased", subject_id=old.pk).exists()
    assert purge_deleted_contacts() == 0
