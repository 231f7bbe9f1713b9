"""The operator's commands: fulfil a request from the command line, expire old response files."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from crm.models import Contact
from dsar.models import ErasureProof, ResponseFile

from ..factories import ContactFactory
from .fulfil_support import verified_request

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dsar_fulfil_previews_then_erases_and_makes_reports():
    contact = ContactFactory(emails=["ops@example.org"])
    case = verified_request([contact], rights=["access", "portability", "erasure"])

    assert "access report made" in _run("dsar_fulfil", case.reference, "access")
    assert "portability export made" in _run("dsar_fulfil", case.reference, "portability")
    preview = _run("dsar_fulfil", case.reference, "erasure-preview")
    assert f"contact #{contact.pk}: erasable" in preview and "crm.Contact: delete 1 rows" in preview
    assert "1 contacts erased, 0 held" in _run("dsar_fulfil", case.reference, "erase")

    assert not Contact._base_manager.filter(pk=contact.pk).exists()
    assert ErasureProof.objects.filter(request=case, contact_ref=contact.pk).count() == 1
    with pytest.raises(CommandError):
        _run("dsar_fulfil", "NO-SUCH-REF", "access")


def test_dsar_expire_reports_counts_then_deletes_the_expired_files():
    case = verified_request([ContactFactory()], rights=["access"])
    call_command("dsar_fulfil", case.reference, "access", stdout=io.StringIO())
    ResponseFile.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    assert "2 expired files would be deleted" in _run("dsar_expire_reports", "--dry-run")
    assert ResponseFile.objects.count() == 2
    assert "2 expired files deleted" in _run("dsar_expire_reports")
    assert not ResponseFile.objects.exists()
