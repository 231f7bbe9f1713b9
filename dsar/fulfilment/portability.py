"""Art. 20: the data the person provided, as JSON and CSV in a zip with its schema.

What is "provided" is the subject-data map's `portable` flag; inferred and
staff-written data (notes, status, scores) are not portable and never appear.
The zip holds `data.json`, one CSV per table (UTF-8, header row) and
`schema.json` (JSON Schema of data.json; documented in docs/portability.md).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from core.subject_data import declarations
from crm.models import Contact
from crm.subject_data import subject_data_collect

from .access import _plain

FORMAT_VERSION = "1"


def portability_data(*, contacts: Sequence[Contact], reference: str) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for contact in contacts:
        for section in subject_data_collect(contact=contact, portable_only=True):
            rows = tables.setdefault(section.model, [])
            for row in section.rows:
                rows.append({"record": contact.pk, **{k: _plain(v) for k, v in row.items() if k != "id"}})
    return {
        "format_version": FORMAT_VERSION,
        "reference": reference,
        "generated_at": timezone.now().isoformat(),
        "tables": {name: rows for name, rows in tables.items() if rows},
    }


def portability_schema() -> dict[str, Any]:
    """JSON Schema of data.json, read from the map: one array of objects per portable table."""
    tables: dict[str, Any] = {}
    for declaration in declarations():
        names = [name for name, personal in declaration.fields.items() if personal.portable]
        if not names:
            continue
        properties: dict[str, Any] = {"record": {"type": "integer", "description": "your record's number"}}
        for name in names:
            field = declaration.model._meta.get_field(name)
            properties[name] = {
                "type": ["string", "number", "boolean", "null"],
                "description": str(getattr(field, "verbose_name", name)),
                "x-category": declaration.fields[name].category,
            }
        tables[declaration.label] = {
            "type": "array",
            "items": {"type": "object", "properties": properties, "required": ["record"]},
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Personal data export (GDPR Art. 20)",
        "type": "object",
        "required": ["format_version", "reference", "generated_at", "tables"],
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "reference": {"type": "string"},
            "generated_at": {"type": "string", "format": "date-time"},
            "tables": {"type": "object", "properties": tables, "additionalProperties": False},
        },
    }


def _csv(rows: list[dict[str, Any]]) -> bytes:
    names: list[str] = []
    for row in rows:
        names.extend(name for name in row if name not in names)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue().encode("utf-8")


def portability_zip(data: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("schema.json", json.dumps(portability_schema(), ensure_ascii=False, indent=2))
        for table, rows in data["tables"].items():
            archive.writestr(f"csv/{table}.csv", _csv(rows))
    return buffer.getvalue()
