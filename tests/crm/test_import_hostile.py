"""Hostile uploads: XLSX bombs, a workbook without a sheet, entity tricks, CSV records without end, oversized tables.

Each is refused with a clear field error (a CSV one may pass the upload's first
look: then by the worker), leaves nothing in the media folder, and is read
within 5 s and 200 MB: a subprocess runs the reader under `resource.setrlimit`
(address space) and an alarm, so a regression shows as a killed process, not
as a slow test (exit 0: refused, 3: read without refusal).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.imports import services
from crm.imports.readers import ReadError, open_table, peek
from crm.models import ImportJob, ImportStatus
from tests.crm import xlsx_bombs

pytestmark = pytest.mark.django_db

MEMORY_LIMIT = 200 * 1024 * 1024  # the whole process, Django included
SECONDS = 5
BOMBS = {
    "shared strings": lambda path: xlsx_bombs.shared_strings_bomb(path, unpacked_bytes=400 << 20),
    "rows": lambda path: xlsx_bombs.row_bomb(path, unpacked_bytes=300 << 20),
    "lying sizes": xlsx_bombs.lying_bomb,
    "giant tag": xlsx_bombs.attribute_bomb,
    "no sheet": xlsx_bombs.no_sheet,
    "entities": xlsx_bombs.entity_expansion,
    "zip entries": xlsx_bombs.many_entries,
}
CSV_BOMBS = {
    # one record of 40 million empty fields: `csv` would build a list of them all
    "delimiters": lambda path: _write(path, [b"Nom;Prenom\n", *(b";" * (1 << 20) for _ in range(40))]),
    # 40 MB without a line break
    "one line": lambda path: _write(path, [b"Nom;Prenom;" + b"x" * (1 << 20) for _ in range(40)]),
    # a quoted field that never closes, over many lines
    "open quote": lambda path: _write(path, [b'Nom;Prenom\nMartin;"', *(b"x\n" * (1 << 19) for _ in range(40))]),
}


def _write(path: Path, chunks: list[bytes]) -> Path:
    with path.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    return path


HARNESS = textwrap.dedent(
    """
    import os, resource, signal, sys
    sys.path.insert(0, os.getcwd())
    import django
    django.setup()
    from crm.imports.readers import ReadError, open_table, peek

    path, how = sys.argv[1], sys.argv[2]
    fmt = "csv" if path.endswith(".csv") else "xlsx"
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
    signal.alarm(int(sys.argv[4]))
    try:
        if how == "peek":
            peek(path, fmt)
        elif how == "table":
            sum(1 for _ in open_table(path, fmt).rows)
        else:
            from openpyxl import load_workbook
            sheet = load_workbook(path, read_only=True).worksheets[0]
            sum(1 for _ in sheet.iter_rows(values_only=True))
    except ReadError as error:
        print("refused:", error)
        sys.exit(0)
    sys.exit(3)
    """
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    built = {name: build(folder / f"{name.replace(' ', '-')}.xlsx") for name, build in BOMBS.items()}
    return built | {name: build(folder / f"{name.replace(' ', '-')}.csv") for name, build in CSV_BOMBS.items()}


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _read_under_limits(path: Path, how: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")}
    return subprocess.run(
        [sys.executable, "-c", HARNESS, str(path), how, str(MEMORY_LIMIT), str(SECONDS)],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,  # interpreter and Django start-up on a loaded machine; the read itself has SECONDS
    )


@pytest.mark.parametrize("name", [*BOMBS, *CSV_BOMBS])
@pytest.mark.parametrize("how", ["peek", "table"])
def test_each_bomb_is_refused_within_5_seconds_and_200_mb(bombs, name, how):
    result = _read_under_limits(bombs[name], how)

    if how == "peek" and name in CSV_BOMBS:
        # the first look reads 64 KB of a CSV file, which may look fine: the worker's full read refuses it
        assert result.returncode in (0, 3), (result.returncode, result.stderr[-2000:])
    else:
        assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
        assert result.stdout.startswith("refused:")


def test_the_limits_catch_a_reader_that_loads_the_bomb(bombs):
    """The harness bites: openpyxl, the reader the import used, does not survive the shared-strings bomb."""
    result = _read_under_limits(bombs["shared strings"], "openpyxl")

    assert result.returncode != 0 and not result.stdout.startswith("refused:")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("shared strings", "The workbook unpacks to more data than an import accepts."),
        ("rows", "The workbook unpacks to more data than an import accepts."),
        ("lying sizes", "The file is not a valid Excel (XLSX) workbook."),
        ("giant tag", "The first row of the sheet is too large to read."),
        ("no sheet", "The workbook has no sheet."),
        ("entities", "The file is not a valid Excel (XLSX) workbook."),
        ("zip entries", "The workbook unpacks to more data than an import accepts."),
    ],
)
def test_a_bomb_upload_gets_a_field_error_and_leaves_nothing_behind(role_client, bombs, media_root, name, message):
    upload = SimpleUploadedFile("contacts.xlsx", bombs[name].read_bytes())

    response = role_client("Marketing").post(
        reverse("crm:import_new"), {"file": upload, "supplier": "", "on_duplicate": "skip"}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert _files_in(media_root) == []


def test_a_workbook_over_the_row_cap_fails_in_the_worker_and_its_file_goes(
    tmp_path, settings, media_root, django_capture_on_commit_callbacks
):
    # given a workbook the first look accepts (its start is a normal table) but holding more rows than allowed
    settings.IMPORT_MAX_ROWS = 3_000
    rows = (
        b'<row><c t="inlineStr"><is><t>Jeanne</t></is></c><c t="inlineStr"><is><t>Martin</t></is></c></row>'
        for _ in range(5_000)
    )
    path = xlsx_bombs.write(
        tmp_path / "many.xlsx",
        xlsx_bombs.base_parts(
            xlsx_bombs.sheet_xml([xlsx_bombs.header_and_row()[0], *rows]),
            b"<sst %s><si><t>Nom</t></si><si><t>Prenom</t></si></sst>" % xlsx_bombs.MAIN,
        ),
    )
    job = services.import_job_create(upload=SimpleUploadedFile("many.xlsx", path.read_bytes()))
    assert job.total_is_estimate  # the first look did not read it whole: the worker will
    job = services.import_job_map(job=job, mapping={"Nom": "last_name", "Prenom": "first_name"})

    # when the worker does the dry run
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_dry_run(job=job)

    # then the job fails with the cap in its error, and the file is gone
    assert job.status == ImportStatus.FAILED and job.error == "The file has more than 3000 rows."
    assert not job.file and _files_in(media_root) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_columns_are_refused(tmp_path, settings, fmt):
    settings.IMPORT_MAX_COLUMNS = 50
    if fmt == "csv":
        path = tmp_path / "wide.csv"
        path.write_text(";".join(["Nom"] * 51) + "\n")
    else:
        path = xlsx_bombs.wide_row(tmp_path / "wide.xlsx", 51)

    with pytest.raises(ReadError, match="more than 50 columns"):
        peek(path, fmt)


def test_a_csv_over_the_row_cap_is_refused_by_the_reader(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 100
    path = tmp_path / "long.csv"
    path.write_text("Nom;Prénom\n" + "Martin;Jeanne\n" * 150)

    with pytest.raises(ReadError, match="more than 100 rows"):
        list(open_table(path, "csv").rows)


def test_a_csv_bomb_past_the_first_look_fails_in_the_worker_and_its_file_goes(
    bombs, media_root, django_capture_on_commit_callbacks
):
    with bombs["delimiters"].open("rb") as handle:
        job = services.import_job_create(upload=File(handle, name="contacts.csv"))
    job = services.import_job_map(job=job, mapping=job.mapping)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_dry_run(job=job)

    assert job.status == ImportStatus.FAILED
    assert job.error == "A line of the file is longer than 524288 characters."
    assert not job.file and _files_in(media_root) == []
