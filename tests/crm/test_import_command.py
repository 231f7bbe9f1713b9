"""`manage.py import_contacts`: auto-mapping (external_id included), dry run, counts and rejected lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.models import Contact, ExternalId, ImportJob

pytestmark = pytest.mark.django_db

CSV = """first_name,last_name,email,phone,external_id
Jeanne,Moreau,jeanne.moreau@example.org,01 99 00 55 01,CRM-001
Loïc,Le Goff,loic@example.org,,CRM-002
Bad,Email,not-an-email,,CRM-003
,Nobody,nobody@example.org,,CRM-004
"""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "erp-export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_contacts", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_with_the_external_id_column(csv_file):
    output = _run(str(csv_file), "--supplier", "ERP")

    assert "'external_id' -> external_id" in output
    assert "created 2, merged 0, skipped 0, rejected 2" in output
    assert "line 4: rejected: email: not a valid email address" in output
    assert "line 5: rejected: first_name: required" in output
    jeanne = Contact.objects.get(last_name="Moreau")
    assert list(jeanne.external_ids.values_list("system", "value")) == [("ERP", "CRM-001")]
    assert jeanne.source_detail == "erp-export.csv (ERP)"
    history = jeanne.history.get()
    assert (history.history_actor_kind, history.history_actor_label) == ("system", "import_contacts")
    assert not ImportJob.objects.get().file  # the copy of the file is gone


def test_importing_the_same_file_again_skips_every_row_by_external_id(csv_file):
    _run(str(csv_file), "--supplier", "ERP")
    csv_file.write_text(CSV.replace("jeanne.moreau@", "jeanne.m@").replace("01 99 00 55 01", ""), encoding="utf-8")

    output = _run(str(csv_file), "--supplier", "ERP")

    assert "line 2: skipped: already in the database (same external id)" in output
    assert Contact.objects.count() == 2 and ExternalId.objects.count() == 2


def test_dry_run_and_mapping_override(csv_file):
    output = _run(str(csv_file), "--dry-run", "--mapping", "external_id=,phone=")

    assert "'external_id' -> (ignored)" in output
    assert "Dry run: 4 rows, 2 valid; would create 2" in output
    assert not Contact.objects.exists()
    assert not ImportJob.objects.exists()  # a dry run from the command keeps nothing


def test_fatal_errors_exit_non_zero(tmp_path, csv_file):
    with pytest.raises(CommandError, match="No such file"):
        _run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="Column mapping"):
        _run(str(csv_file), "--mapping", "first_name=")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(CommandError, match="CSV"):
        _run(str(tmp_path / "notes.pdf"))


def test_a_file_without_a_header_row_is_mapped_by_position(tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text("Jeanne,Moreau,jeanne.moreau@example.org\nLoïc,Le Goff,loic@example.org\n", encoding="utf-8")

    output = _run(str(path), "--mapping", "Column 1=first_name,Column 2=last_name,Column 3=email")

    assert "'Column 1' -> first_name" in output and "created 2," in output
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"Moreau", "Le Goff"}
