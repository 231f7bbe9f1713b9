"""Exports of the register (REG-01, REG-05): every Art. 30(1) item as a column, every format opens."""

from __future__ import annotations

import csv
import io
import json
import random
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from registry.exports import COLUMNS
from registry.models import OrganisationProfile
from registry.seeding import ACTIVITIES, seed_register
from registry.services import organisation_profile_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_register(dpo_user):
    seed_register(SimpleNamespace(users={"DPO": dpo_user}, out=lambda text: None, rng=random.Random(1)))


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_carries_every_art30_item_as_a_column_each_filled_for_the_demo(demo_register, tmp_path):
    output = tmp_path / "register.csv"
    call_command("export_registry", "--format", "csv", "--output", str(output), stderr=io.StringIO())
    rows = _csv_rows(output.read_bytes())
    assert len(rows) == len(ACTIVITIES)
    items = {column.art30 for column in COLUMNS if column.art30}
    assert items == {"a", "b", "c", "d", "e", "f", "g"}
    for column in COLUMNS:
        if column.art30:
            empty = [row["Reference"] for row in rows if not row[str(column.label)].strip()]
            assert empty == [], f"Art. 30(1)({column.art30}) column {column.label} is empty"
    events = rows[2]  # ACT-003 sends registrations to the US under the DPF
    assert "US" in events["Transfers outside the EU"] and "Privacy Framework" in events["Transfers outside the EU"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "html"])
def test_export_registry_writes_every_format_and_each_opens(demo_register, tmp_path, fmt):
    output = tmp_path / f"register.{fmt}"
    call_command("export_registry", "--format", fmt, "--output", str(output), stderr=io.StringIO())
    content = output.read_bytes()
    if fmt == "csv":
        assert {row["Reference"] for row in _csv_rows(content)} == {"ACT-001", "ACT-002", "ACT-003", "ACT-004"}
    elif fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        assert workbook.sheetnames == ["Organisation", "Activities", "Processor record"]
        assert workbook["Organisation"]["B2"].value.startswith("Demo Organisation SAS")
        assert workbook["Activities"].max_row == len(ACTIVITIES) + 1
    elif fmt == "json":
        document = json.loads(content)
        assert len(document["activities"]) == len(ACTIVITIES)
        assert document["organisation"]["Data protection officer"].startswith("Julien Lefèvre")
    else:
        page = content.decode()
        assert "Record of processing activities" in page and "ACT-004" in page


def test_the_export_is_refused_while_the_controller_contact_is_empty(tmp_path):
    organisation_profile_save(data={"controller_name": "Org", "controller_email": "", "controller_address": ""})
    assert not OrganisationProfile.objects.get().controller_contact_complete
    with pytest.raises(CommandError, match="controller"):
        call_command("export_registry", "--format", "json", stdout=io.StringIO())


def test_the_staff_export_page_serves_each_format(demo_register, client, auditor_user):
    client.force_login(auditor_user)
    response = client.get(reverse("registry:export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="register-')
    load_workbook(io.BytesIO(response.content))
    assert client.get(reverse("registry:export", args=["pdf"])).status_code == 404


def test_french_headings_in_french(demo_register, client, dpo_user):
    client.force_login(dpo_user)
    response = client.get("/fr/registry/export/csv/")
    assert response.status_code == 200
    rows = _csv_rows(response.content)
    assert rows[0][next(iter(rows[0]))] == "ACT-001"
