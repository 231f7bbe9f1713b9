"""The mapping page names the supplier only when one was named."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _source_note(client, supplier: str) -> str:
    upload = SimpleUploadedFile("salon.csv", b"first_name,last_name,email\nAnna,Martin,anna@example.org\n")
    client.post(reverse("crm:import_new"), {"file": upload, "supplier": supplier, "on_duplicate": "skip"})
    html = client.get(reverse("crm:import_map", args=[ImportJob.objects.latest("pk").pk])).content.decode()
    return unescape(re.search(r'<p[^>]*id="import-source-note"[^>]*>(.*?)</p>', html, re.S).group(1))


def test_without_a_supplier_the_page_says_none_was_named(role_client):
    note = _source_note(role_client("Sales"), "")
    assert "the supplier you named" not in note
    assert "No supplier was named" in note and "salon.csv" in note


def test_with_a_supplier_the_page_names_it(role_client):
    note = _source_note(role_client("Sales"), "Expo Data")
    assert "from Expo Data" in note and "No supplier" not in note
