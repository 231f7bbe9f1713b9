"""What an import leaves behind: column names never made of data, short-lived jobs, erased people not re-created."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.crypto import blind_index
from core.models import AuditEvent
from crm.imports import services
from crm.imports.erasure import erased_since_upload
from crm.imports.readers import looks_like_header, open_table, peek
from crm.models import Contact, ErasedImportKey, ImportJob, ImportStatus
from crm.subject_data import subject_data_erase
from crm.tasks import expire_import_jobs
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

JEANNE = ["Jeanne", "Zorglub-Martin", "jeanne.zorglub@example.org", "01 99 00 12 34"]
PAUL = ["Paul", "Quixote", "paul.quixote@example.org", "01 99 00 56 78"]
POSITIONAL = {"Column 1": "first_name", "Column 2": "last_name", "Column 3": "email", "Column 4": "phone"}
HEADER = ["Prénom", "Nom", "E-mail", "Téléphone"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _csv_upload(rows: list[list[str]], name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(";".join(row) for row in rows).encode() + b"\n")


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _history_text(job_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(h)::text FROM crm_historicalimportjob h WHERE id = %s", [job_id])
        return " ".join(text for (text,) in cursor.fetchall())


# --------------------------------------------------------------------------- header detection


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (HEADER, True),
        (["first_name", "last_name", "Email 2"], True),
        (JEANNE, False),
        (["Jeanne", "Martin", "12/05/1980"], False),
        (["Jeanne", "Martin"], False),  # no known column name: read as data, named by position
        (["Nom", "Prénom", "75002"], False),
    ],
)
def test_a_first_row_is_a_header_only_when_it_names_columns_and_holds_no_value(cells, expected):
    assert looks_like_header(cells) is expected


def test_a_headerless_csv_is_read_by_position_and_keeps_no_value_in_the_job_or_its_history(
    django_capture_on_commit_callbacks, media_root
):
    # given a file whose first line is a person
    job = services.import_job_create(upload=_csv_upload([JEANNE, PAUL], name="export.csv"))

    # then its columns are named by position, line 1 is data, and nothing is suggested
    assert job.columns == list(POSITIONAL) and not job.has_header
    assert set(job.mapping.values()) == {""}
    assert (job.total_rows, job.total_is_estimate) == (2, False)

    # when it is mapped by position and run
    job = services.import_job_map(job=job, mapping=POSITIONAL)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_run(job=job)

    # then both people are contacts, the first line included
    assert job.status == ImportStatus.DONE and job.created_count == 2
    assert Contact.objects.with_email(JEANNE[2]).get().last_name == JEANNE[1]
    # and no value of the file is in the job or its history
    for value in (*JEANNE, *PAUL):
        assert value not in json.dumps([job.columns, job.mapping, job.report], ensure_ascii=False)
        assert value not in _history_text(job.pk)
    assert _files_in(media_root) == []


def test_a_headerless_xlsx_is_read_by_position_with_dates_and_numbers_as_text(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Jeanne", "Martin", datetime(1980, 5, 12), 33612345678])
    workbook.active.append(["Paul", "Durand", date(1975, 1, 31), 3.5])
    workbook.save(tmp_path / "people.xlsx")

    first_look = peek(tmp_path / "people.xlsx", "xlsx")
    rows = list(open_table(tmp_path / "people.xlsx", "xlsx", has_header=False).rows)

    assert not first_look.has_header and first_look.columns == ["Column 1", "Column 2", "Column 3", "Column 4"]
    assert first_look.complete and first_look.count == 2
    assert rows == [
        (1, ["Jeanne", "Martin", "1980-05-12", "33612345678"]),
        (2, ["Paul", "Durand", "1975-01-31", "3.5"]),
    ]


def test_the_mapping_page_says_when_the_first_row_is_data(role_client):
    client = role_client("Marketing")
    client.post(reverse("crm:import_new"), {"file": _csv_upload([JEANNE]), "on_duplicate": "skip"})
    job = ImportJob.objects.get()

    html = client.get(reverse("crm:import_map", args=[job.pk])).content.decode()

    assert 'id="headerless-notice"' in html and "Column 1" in html and JEANNE[0] in html


# --------------------------------------------------------------------------- short life


def _age(job: ImportJob, **delta: float) -> None:
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(**delta))


def test_an_abandoned_upload_expires_within_a_day_with_its_file_and_history(
    media_root, django_capture_on_commit_callbacks
):
    old = services.import_job_create(upload=_csv_upload([HEADER, JEANNE]), supplier="Jeanne's club")
    old = services.import_job_map(job=old, mapping=old.mapping)
    recent = services.import_job_create(upload=_csv_upload([HEADER, PAUL]))
    _age(old, hours=23, minutes=1)
    _age(recent, hours=22)
    assert len(_files_in(media_root)) == 2 and _history_text(old.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_import_jobs() == 1

    assert list(ImportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert _history_text(old.pk) == ""
    assert [path.name for path in _files_in(media_root)] == [Path(recent.file.name).name]
    event = AuditEvent.objects.get(action="contacts.import_expired")
    assert event.object_id == str(old.pk) and event.data == {"status": "mapped", "deleted": True}


def test_a_finished_job_keeps_only_its_counts_once_its_details_expire(
    role_client, marketing_user, django_capture_on_commit_callbacks
):
    upload = _csv_upload([HEADER, JEANNE, ["", "", "bad", ""]])
    job = services.import_job_create(upload=upload, supplier="Club", user=marketing_user)
    job = services.import_job_map(job=job, mapping=job.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_run(job=job)
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=7, minutes=1))
    assert "Club" in _history_text(job.pk)

    deleted, stripped, has_more = services.import_jobs_expire()

    job.refresh_from_db()
    assert (deleted, stripped, has_more) == (0, 1, False)
    assert (job.original_filename, job.supplier, job.columns, job.mapping, job.report) == ("", "", [], {}, [])
    assert (job.created_count, job.rejected_count, job.status) == (1, 1, ImportStatus.DONE)
    assert job.expired_at is not None and job.title == f"Import #{job.pk}"
    assert _history_text(job.pk) == ""
    assert services.import_jobs_expire() == (0, 0, False)  # stripped once
    html = role_client("Marketing").get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-expired"' in html and 'id="import-report' not in html and "contacts.csv" not in html


def test_the_expiry_command_counts_then_expires(capsys):
    job = services.import_job_create(upload=_csv_upload([HEADER, JEANNE]))
    _age(job, days=2)

    call_command("expire_imports", "--dry-run")
    assert "Would delete 1 abandoned and strip 0 finished jobs." in capsys.readouterr().out
    assert ImportJob.objects.exists()

    call_command("expire_imports")
    assert "Deleted 1 abandoned and stripped 0 finished jobs." in capsys.readouterr().out
    assert not ImportJob.objects.exists()


def test_the_file_name_stays_out_of_history_and_audit_and_goes_with_the_run(django_capture_on_commit_callbacks):
    job = services.import_job_create(upload=_csv_upload([HEADER, JEANNE], name="jeanne-zorglub.csv"))
    assert job.title == "jeanne-zorglub.csv"  # while pending, the uploader recognises the file

    job = services.import_job_map(job=job, mapping=job.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_run(job=job)

    assert job.original_filename == "" and job.title == f"Import #{job.pk}"
    assert Contact.objects.get().source_detail == "jeanne-zorglub.csv"  # the contact's own provenance
    assert "jeanne-zorglub" not in _history_text(job.pk)
    assert "jeanne-zorglub" not in json.dumps(list(AuditEvent.objects.values("data", "reason", "object_id")))


def test_deleting_a_job_deletes_its_history(django_capture_on_commit_callbacks):
    job = services.import_job_create(upload=_csv_upload([HEADER, JEANNE]), supplier="Jeanne Zorglub's club")
    assert "Zorglub's club" in _history_text(job.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_delete(job=job)

    assert _history_text(job.pk) == ""


# --------------------------------------------------------------------------- erasure while pending


def test_a_person_erased_after_the_upload_is_neither_shown_nor_re_created(
    role_client, marketing_user, django_capture_on_commit_callbacks
):
    # given an upload holding Jeanne, who is a contact, and Paul
    jeanne = ContactFactory(first_name=JEANNE[0], last_name=JEANNE[1], emails=[JEANNE[2]], phones=[], owner=None)
    client = role_client("Marketing")
    client.post(reverse("crm:import_new"), {"file": _csv_upload([HEADER, JEANNE, PAUL]), "on_duplicate": "merge"})
    job = ImportJob.objects.get()

    # when Jeanne is erased while the import is pending
    subject_data_erase(contact=jeanne, reason="Art. 17 request")

    # then her e-mail is kept as a keyed hash only
    keys = list(ErasedImportKey.objects.values_list("value_index", flat=True))
    assert keys == [blind_index(JEANNE[2])]
    # the mapping page shows none of her values (not even her name, in the same row)
    html = client.get(reverse("crm:import_map", args=[job.pk])).content.decode()
    assert JEANNE[1] not in html and PAUL[1] in html

    # and the run skips her row with its own outcome, imports Paul, then forgets the hash (no import is pending)
    services.import_job_map(job=job, mapping=job.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_run(job=ImportJob.objects.get(pk=job.pk))
    assert not Contact.objects.filter(last_name=JEANNE[1]).exists()
    assert Contact.objects.filter(last_name=PAUL[1]).exists()
    assert [(entry["line"], entry["outcome"]) for entry in job.report] == [(2, "erased")]
    assert (job.created_count, job.skipped_count) == (1, 1)
    assert not ErasedImportKey.objects.exists()


def test_an_erasure_with_no_import_pending_keeps_no_key():
    jeanne = ContactFactory(emails=[JEANNE[2]], phones=[JEANNE[3]], owner=None)
    ImportJob.objects.create(format="csv", original_filename="old.csv", status=ImportStatus.DONE)

    subject_data_erase(contact=jeanne, reason="Art. 17 request")

    assert not ErasedImportKey.objects.exists()


def test_keys_apply_to_uploads_before_the_erasure_and_go_with_the_last_of_them(django_capture_on_commit_callbacks):
    before = services.import_job_create(upload=_csv_upload([HEADER, JEANNE]))
    subject_data_erase(contact=ContactFactory(emails=[JEANNE[2]], phones=[], owner=None), reason="Art. 17")
    after = services.import_job_create(upload=_csv_upload([HEADER, JEANNE]))

    assert erased_since_upload(before) == {blind_index(JEANNE[2])}
    assert erased_since_upload(after) == set()  # erased before that upload: a matter for the suppression list

    _age(before, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_jobs_expire()
    assert not ErasedImportKey.objects.exists()


def test_a_phone_alone_identifies_an_erased_person_in_a_headerless_file(django_capture_on_commit_callbacks):
    jeanne = ContactFactory(emails=[], phones=[JEANNE[3]], owner=None)
    job = services.import_job_create(upload=_csv_upload([JEANNE, PAUL]))
    subject_data_erase(contact=jeanne, reason="Art. 17 request")

    samples = services.import_job_samples(job=ImportJob.objects.get(pk=job.pk))
    job = services.import_job_map(job=job, mapping=POSITIONAL)
    job = services.import_job_dry_run(job=job)

    assert samples["Column 1"] == [PAUL[0]]
    assert job.dry_run["created"] == 1 and job.report == [
        {"line": 1, "outcome": "erased", "reasons": ["this person was erased after the file was uploaded"]}
    ]


# --------------------------------------------------------------------------- report CSV


def test_the_report_csv_escapes_formulas_from_column_names(role_client):
    formula = '=HYPERLINK("http://evil.example/x","click")'
    client = role_client("Marketing")
    upload = _csv_upload([["Prénom", "Nom", formula], ["Jeanne", "Martin", "not an e-mail"]])
    client.post(reverse("crm:import_new"), {"file": upload, "on_duplicate": "skip"})
    job = ImportJob.objects.get()
    services.import_job_map(job=job, mapping={**job.mapping, formula: "email"})
    services.import_job_dry_run(job=job)

    response = client.get(reverse("crm:import_report", args=[job.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "2" and rows[1][2].startswith("'=HYPERLINK(")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
