"""CON-11 / CNS-10: after an objection, the same address never comes back through an import, even after erasure."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consent import services
from consent.eligibility import Identifier, check_one
from consent.models import ConsentState, Method, Suppression
from crm.imports import services as imports
from crm.models import Contact
from crm.subject_data import subject_data_erase

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _import(tmp_path: Path, rows: list[str]):
    path = tmp_path / "people.csv"
    path.write_text("\n".join(["first_name;last_name;email", *rows]) + "\n", encoding="utf-8")
    job = imports.import_job_create(upload=SimpleUploadedFile(path.name, path.read_bytes()), supplier="Expo Data")
    job = imports.import_job_map(job=job, mapping=job.mapping)
    return imports.import_job_run(job=job)


def test_an_objector_reimported_with_another_case_and_spaces_is_reported_suppressed(tmp_path, newsletter, make_contact):
    contact = make_contact(first_name="Zoé", emails=["zoe.martin@example.com"])
    services.objection_record(contact=contact, method=Method.STAFF)
    job = _import(tmp_path, ["Zoé;Martin;  ZOE.Martin@Example.com ", "Paul;Petit;paul@example.com"])
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert job.report[0]["outcome"] == "suppressed" and job.report[0]["line"] == 2
    assert not ConsentState.objects.filter(contact=contact).exclude(status="objected").exists()
    answer = check_one(Identifier(email="zoe.martin@example.com "), purpose=newsletter, channel="email")
    assert (answer.allowed, answer.reason) == (False, "suppressed")


def test_the_suppression_outlives_erasure_and_still_blocks_the_import(tmp_path, newsletter, make_contact):
    contact = make_contact(emails=["gone@example.com"])
    services.objection_record(contact=contact, method=Method.STAFF)
    subject_data_erase(contact=contact, reason="Art. 17 request")
    assert not Contact.objects.filter(pk=contact.pk).exists()
    entry = Suppression.objects.get()
    assert entry.contact is None and entry.history.filter(contact=contact.pk).count() == 0
    job = _import(tmp_path, ["Gone;Again;GONE@example.com"])
    assert job.created_count == 0 and job.report[0]["outcome"] == "suppressed"
