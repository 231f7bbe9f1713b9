"""Hostile XLSX files, built in code (no bomb is committed): each writes to `path` and returns it."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path

_SPREADSHEET = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="%(t)s.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="%(t)s.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="%(t)s.sharedStrings+xml"/></Types>'
) % {b"t": _SPREADSHEET}
SHEET_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STRINGS_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def workbook_xml(sheets: int = 1) -> bytes:
    entries = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId%d"/>' % (n, n, n) for n in range(1, sheets + 1))
    return b"<workbook %s %s><sheets>%s</sheets></workbook>" % (MAIN, R, entries)


def rels_xml() -> bytes:
    return (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="%s" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId9" Type="%s" Target="sharedStrings.xml"/></Relationships>'
    ) % (SHEET_REL, STRINGS_REL)


def sheet_xml(rows: Iterable[bytes]) -> Iterable[bytes]:
    yield b"<worksheet %s><sheetData>" % MAIN
    yield from rows
    yield b"</sheetData></worksheet>"


def header_and_row() -> list[bytes]:
    return [
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Jeanne</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>Martin</t></is></c></row>',
    ]


def write(path: Path, parts: dict[str, bytes | Iterable[bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=False) as member:
                for chunk in [content] if isinstance(content, bytes) else content:
                    member.write(chunk)
    return path


def base_parts(sheet: bytes | Iterable[bytes], strings: bytes | Iterable[bytes]) -> dict[str, bytes | Iterable[bytes]]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": rels_xml(),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
    }


def _repeat(unit: bytes, total_bytes: int, head: bytes = b"", tail: bytes = b"") -> Iterable[bytes]:
    block = unit * max(1, (1 << 20) // len(unit))
    yield head
    for _ in range(total_bytes // len(block)):
        yield block
    yield tail


def shared_strings_bomb(path: Path, unpacked_bytes: int = 400 << 20) -> Path:
    """A workbook of a few hundred KB whose shared strings unpack to `unpacked_bytes` (openpyxl: gigabytes)."""
    strings = _repeat(b"<si><t>Dupont</t></si>", unpacked_bytes, b"<sst %s>" % MAIN, b"</sst>")
    return write(path, base_parts(b"".join(sheet_xml(header_and_row())), strings))


def row_bomb(path: Path, unpacked_bytes: int = 1 << 30) -> Path:
    """A workbook of a few MB whose sheet unpacks to `unpacked_bytes` of rows."""
    rows = _repeat(b"<row><c><v>1</v></c></row>", unpacked_bytes)
    strings = b"<sst %s><si><t>Nom</t></si><si><t>Prenom</t></si></sst>" % MAIN
    return write(path, base_parts(sheet_xml([*header_and_row(), *rows]), strings))


def lying_bomb(path: Path, declared: int = 1000) -> Path:
    """The shared-strings bomb with its table of contents claiming `declared` unpacked bytes."""
    shared_strings_bomb(path, unpacked_bytes=50 << 20)
    data = bytearray(path.read_bytes())
    name = b"xl/sharedStrings.xml"
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack("<H", data[position + 28 : position + 30])[0]
        if data[position + 46 : position + 46 + name_length] == name:
            data[position + 24 : position + 28] = struct.pack("<L", declared)
            break
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))
    return path


def attribute_bomb(path: Path, attribute_bytes: int = 150 << 20) -> Path:
    """A sheet within the unpacked-size cap whose one tag carries a giant attribute (expat holds a tag whole)."""
    rows = [
        b'<row r="1"><c r="A1" t="inlineStr" s="',
        *_repeat(b"1", attribute_bytes),
        b'"><is><t>x</t></is></c></row>',
    ]
    return write(path, base_parts(sheet_xml(rows), b"<sst %s/>" % MAIN))


def no_sheet(path: Path) -> Path:
    parts = base_parts(b"", b"")
    parts["xl/workbook.xml"] = workbook_xml(sheets=0)
    del parts["xl/worksheets/sheet1.xml"]
    return write(path, parts)


def entity_expansion(path: Path) -> Path:
    """A sheet whose XML declares entities ("billion laughs")."""
    doctype = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    sheet = doctype + b"".join(sheet_xml([b'<row r="1"><c t="inlineStr"><is><t>&b;</t></is></c></row>']))
    return write(path, base_parts(sheet, b"<sst %s/>" % MAIN))


def many_entries(path: Path, entries: int = 20_000) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(entries):
            archive.writestr(f"x/{number}", b"")
    return path


def wide_row(path: Path, columns: int) -> Path:
    cells = b"".join(b'<c t="inlineStr"><is><t>Nom</t></is></c>' for _ in range(columns))
    return write(path, base_parts(b"".join(sheet_xml([b"<row>" + cells + b"</row>"])), b"<sst %s/>" % MAIN))
