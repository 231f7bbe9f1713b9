"""A streaming XLSX reader with bounded memory and time (the first sheet, as rows of cell texts).

openpyxl holds every shared string and, for some files, whole rows of empty
cells: a 410 KB workbook took a process to 12 GB. This reader:

- checks the zip's table of contents before unpacking anything (entries, the
  declared unpacked size of each part it will read, no encryption, only
  stored or deflated parts); Python's zip reader never unpacks more than the
  declared size (a lie ends in a CRC error), and the bytes unpacked are
  counted again here;
- parses the XML with expat, one cell at a time, refusing any DTD or entity
  declaration, and caps rows, columns, cells, the text of one cell, the bytes
  of one tag or comment (expat holds a token whole) and the shared strings it
  keeps in memory (`limits`).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from ..limits import (
    MAX_XML_TOKEN_BYTES,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
    SNIFF_BYTES,
    Limits,
    ReadError,
)
from .parts import (
    RawCell,
    RawRow,
    SharedStringsHandler,
    SheetHandler,
    StylesHandler,
    local_name,
    not_a_workbook,
    too_big,
    xml_parser,
)

__all__ = ["RawCell", "RawRow", "Workbook", "check_zip_directory", "not_a_workbook", "too_big"]

CHUNK = 64 * 1024
EOCD = b"PK\x05\x06"


def check_zip_directory(path: Path) -> None:
    """Refuse a zip whose table of contents is too large to read, before `zipfile` reads it into memory."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))  # the end record, plus its longest comment
        tail = handle.read()
    position = tail.rfind(EOCD)
    if position < 0 or len(tail) - position < 22:
        raise not_a_workbook()
    entries, directory_bytes = struct.unpack("<HL", tail[position + 10 : position + 16])
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:  # zip64: no workbook an import takes needs it
        raise too_big()
    if entries > MAX_ZIP_ENTRIES or directory_bytes > MAX_ZIP_DIRECTORY_BYTES:
        raise too_big()


class Workbook:
    """The parts of an XLSX file the import reads, found and size-checked on opening."""

    def __init__(self, path: str | Path, limits: Limits) -> None:
        self.limits = limits
        path = Path(path)
        check_zip_directory(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise not_a_workbook() from exc
        try:
            self._find_parts()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ parts

    def _info(self, name: str) -> zipfile.ZipInfo | None:
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            return None
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise not_a_workbook()
        return info

    def _find_parts(self) -> None:
        workbook = self._info("xl/workbook.xml")
        if workbook is None:
            raise not_a_workbook()
        sheet_id, self.date1904 = self._first_sheet()
        if sheet_id is None:
            raise ReadError(_("The workbook has no sheet."))
        targets = self._relationships()
        sheet = self._info(targets.get(sheet_id, ""))
        if sheet is None:
            raise ReadError(_("The workbook has no sheet."))
        self.sheet = sheet
        self.shared = self._info(targets.get("sharedStrings", "xl/sharedStrings.xml"))
        self.styles = self._info(targets.get("styles", "xl/styles.xml"))
        parts = [info for info in (workbook, sheet, self.shared, self.styles) if info is not None]
        if sum(info.file_size for info in parts) > self.limits.max_unpacked_bytes:
            raise too_big()

    def _small_part(self, name: str) -> bytes | None:
        info = self._info(name)
        if info is None:
            return None
        if info.file_size > 4 * 1024 * 1024:
            raise too_big()
        return self._read(info)

    def _read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            with self.zip.open(info) as stream:
                return stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise not_a_workbook() from exc

    def _first_sheet(self) -> tuple[str | None, bool]:
        found: dict[str, Any] = {"sheet": None, "date1904": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = local_name(name)
            if local == "workbookPr":
                found["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")
            elif local == "sheet" and found["sheet"] is None:
                found["sheet"] = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")

        _parse_bytes(self._small_part("xl/workbook.xml") or b"", xml_parser(start, None, None))
        return found["sheet"], found["date1904"]

    def _relationships(self) -> dict[str, str]:
        """Relationship id -> part name; also "sharedStrings" and "styles" -> their part names."""
        targets: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if local_name(name) != "Relationship":
                return
            target = attrs.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[attrs.get("Id", "")] = part
            kind = attrs.get("Type", "").rpartition("/")[2]
            if kind in ("sharedStrings", "styles"):
                targets[kind] = part

        _parse_bytes(self._small_part("xl/_rels/workbook.xml.rels") or b"", xml_parser(start, None, None))
        return targets

    # ------------------------------------------------------------------ reading

    def shared_strings(self, *, upto: int | None = None, budget: int | None = None) -> list[str]:
        """The shared strings (all, or the first `upto + 1`), within the caps and `budget` unpacked bytes."""
        if self.shared is None:
            return []
        handler = SharedStringsHandler(upto)
        parser = xml_parser(handler.start, handler.end, handler.chars)
        for _chunk in _stream(self.zip, self.shared, parser, budget, stop=handler.done):
            pass
        return handler.strings

    def date_styles(self) -> set[int]:
        """Indexes of the cell styles that show a number as a date."""
        if self.styles is None:
            return set()
        handler = StylesHandler()
        for _chunk in _stream(self.zip, self.styles, xml_parser(handler.start, handler.end, None), 8 * 1024 * 1024):
            pass
        return handler.date_styles()

    def raw_rows(self, *, budget: int | None = None) -> Iterator[RawRow]:
        """The first sheet's rows as raw cells; stops quietly after `budget` unpacked bytes."""
        handler = SheetHandler(self.limits)
        parser = xml_parser(handler.start, handler.end, handler.chars)
        for _chunk in _stream(self.zip, self.sheet, parser, budget):
            yield from handler.drain()
        yield from handler.drain()

    @property
    def read_whole(self) -> bool:
        """Whether a sniff of SNIFF_BYTES per part reads every part it needs in full."""
        return all(info.file_size <= SNIFF_BYTES for info in (self.sheet, self.shared) if info is not None)

    def cell_text(self, cell: RawCell, strings: list[str], date_styles: set[int]) -> str:
        kind, style, raw = cell
        if kind == "s":
            try:
                return strings[int(raw)].strip()
            except (ValueError, IndexError):
                return ""
        if kind in ("inlineStr", "str", "e"):
            return raw.strip()
        if kind == "b":
            return "TRUE" if raw == "1" else "FALSE"
        return _number_text(raw, style.isdigit() and int(style) in date_styles, self.date1904)


def _number_text(raw: str, is_date: bool, date1904: bool) -> str:
    """A number as a CSV export holds it: whole numbers without ".0", dates in ISO form."""
    try:
        number = float(raw)
    except ValueError:
        return raw.strip()
    if is_date and 0 <= number < 2_958_466:  # up to 9999-12-31
        moment = (datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)) + timedelta(days=number)
        moment = moment.replace(microsecond=0)
        return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat(sep=" ")
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return str(number)


def _parse_bytes(data: bytes, parser: Any) -> None:
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise not_a_workbook() from exc


def _stream(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    parser: Any,
    budget: int | None,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[None]:
    """Feed a part to `parser` chunk by chunk (yielding after each), up to `budget` unpacked bytes."""
    unpacked = 0
    try:
        with archive.open(info) as stream:
            while not stop():
                chunk = _read_chunk(stream, budget, unpacked)
                unpacked += len(chunk)
                if unpacked > info.file_size:  # zipfile stops at the declared size; checked here too
                    raise too_big()
                parser.Parse(chunk, not chunk)
                if unpacked - parser.CurrentByteIndex > MAX_XML_TOKEN_BYTES:  # one tag, one comment, still open
                    raise too_big()
                yield
                if not chunk or (budget is not None and unpacked >= budget):
                    return
    except expat.ExpatError as exc:
        raise not_a_workbook() from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a CRC error: the part is longer than declared
        raise not_a_workbook() from exc


def _read_chunk(stream: IO[bytes], budget: int | None, unpacked: int) -> bytes:
    size = CHUNK if budget is None else max(0, min(CHUNK, budget - unpacked))
    return stream.read(size) if size else b""
