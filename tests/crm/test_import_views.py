"""The import pages: upload -> map -> dry run -> run through the test client, errors, permissions, progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.imports import samples
from crm.models import Contact, ImportJob, ImportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sample_file(tmp_path: Path) -> tuple[bytes, list[samples.SampleRow]]:
    rows = samples.sample_rows(200, seed=3, invalid_ratio=0.05)
    return samples.write_csv(tmp_path / "salon.csv", rows).read_bytes(), rows


def _upload(client, content: bytes, name: str = "salon.csv", **extra):
    data = {"file": SimpleUploadedFile(name, content), "supplier": "Expo Data", "on_duplicate": "skip", **extra}
    return client.post(reverse("crm:import_new"), data)


def test_upload_map_dry_run_run_journey(role_client, sales_user, sample_file, media_root):
    content, rows = sample_file
    client = role_client("Sales")
    valid = [row for row in rows if not row.problem]

    # upload: the job is created and the mapping page is next
    response = _upload(client, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crm:import_map", args=[job.pk])
    assert job.created_by == sales_user and job.total_rows == 200

    # map: one select per column, prefilled from the headers, with the first values beside it
    page = client.get(reverse("crm:import_map", args=[job.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<select name="column_') == len(job.columns) and "salon.csv" in html
    assert '<option value="email" selected>' in html
    assert rows[0].values[1] in html  # the first values help the person who uploaded the file
    data = {f"column_{i}": job.mapping[column] for i, column in enumerate(job.columns)}
    response = client.post(reverse("crm:import_map", args=[job.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("crm:import_dry_run", args=[job.pk])

    # dry run: a small file is checked at once; counts and rejected lines, nothing imported
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and Contact.objects.count() == 0
    page = client.get(reverse("crm:import_dry_run", args=[job.pk]))
    html = page.content.decode()
    assert f'data-count="created">{len(valid)}<' in html
    bad = next(row for row in rows if row.problem and row.problem != "duplicate")
    assert f">{bad.line}</td>" in html

    # run: the valid rows become contacts owned by the user; the detail page keeps the report
    response = client.post(reverse("crm:import_run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and not job.file
    assert Contact.objects.filter(owner=sales_user).count() == len(valid)
    html = client.get(reverse("crm:import_detail", args=[job.pk])).content.decode()
    assert f'data-count="created">{len(valid)}<' in html and 'id="import-report"' in html

    # the report downloads as CSV: line, outcome, reasons
    report = client.get(reverse("crm:import_report", args=[job.pk]))
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "line,outcome,reasons"
    assert len(lines) == 1 + len([row for row in rows if row.problem])
    # the file name goes with the run (the contacts keep it as their provenance)
    listed = client.get(reverse("crm:import_list")).content.decode()
    assert "salon.csv" not in listed and f"Import #{job.pk}" in listed


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("contacts.pdf", b"%PDF-1.4", "Upload a CSV (.csv) or Excel (.xlsx) file."),
        ("contacts.csv", b"", "The submitted file is empty."),
        ("contacts.xlsx", b"not a zip", "The file is not a valid Excel (XLSX) workbook."),
        ("contacts.csv", b"\n\n", "The first line must hold the column names or the first contact."),
    ],
)
def test_upload_errors_are_clear(role_client, name, content, message):
    response = _upload(role_client("Marketing"), content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused(role_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    response = _upload(role_client("Marketing"), b"Nom;Prenom\n" + b"Dupont;Jean\n" * 20)

    assert response.status_code == 400
    assert "The file is too big" in response.content.decode()


def test_mapping_errors_are_shown(role_client, sample_file):
    client = role_client("Marketing")
    _upload(client, sample_file[0])
    job = ImportJob.objects.get()
    data = {f"column_{i}": "" for i, _column in enumerate(job.columns)} | {"column_0": "email", "column_2": "email"}

    response = client.post(reverse("crm:import_map", args=[job.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the column that holds the last name." in html
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_large_file_runs_in_the_background_with_a_polled_progress_bar(
    role_client, sample_file, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    queued = []
    monkeypatch.setattr("crm.tasks.import_run.delay", lambda *args, **kwargs: queued.append((args, kwargs)))
    client = role_client("Marketing")
    _upload(client, sample_file[0])
    job = ImportJob.objects.get()
    data = {f"column_{i}": job.mapping[column] for i, column in enumerate(job.columns)}

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("crm:import_map", args=[job.pk]), data)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATING
    assert queued == [((job.pk,), {"dry_run": True})]
    progress = client.get(reverse("crm:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in progress and "<progress" in progress
    assert "style=" not in progress  # the CSP forbids inline styles

    # the worker does the dry run; the next poll stops polling and reloads the page
    from crm.tasks import import_run

    import_run(job.pk, dry_run=True)
    response = client.get(reverse("crm:import_progress", args=[job.pk]), {"was": "validating"})
    assert response["HX-Refresh"] == "true"
    assert "hx-trigger" not in response.content.decode()


def test_roles_without_the_import_permission_get_403(role_client, sample_file):
    for role in ("Support", "Auditor"):
        assert role_client(role).get(reverse("crm:import_new")).status_code == 403


def test_someone_elses_import_is_not_found(role_client, sample_file):
    _upload(role_client("Marketing"), sample_file[0])
    job = ImportJob.objects.get()

    assert role_client("Sales").get(reverse("crm:import_detail", args=[job.pk])).status_code == 404
    assert role_client("Sales").post(reverse("crm:import_run", args=[job.pk])).status_code == 404


def test_deleting_an_import_deletes_its_file(role_client, sample_file, media_root, django_capture_on_commit_callbacks):
    client = role_client("Marketing")
    _upload(client, sample_file[0])
    job = ImportJob.objects.get()
    assert list((media_root / "imports").glob("*"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crm:import_delete", args=[job.pk]))

    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert not list((media_root / "imports").glob("*"))
