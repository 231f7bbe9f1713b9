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
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from .limits import (
    MAX_CELL_CHARS,
    MAX_LINE,
    MAX_SHARED_CHARS,
    MAX_SHARED_STRINGS,
    MAX_XML_TOKEN_BYTES,
    MAX_ZIP_DIRECTORY_BYTES,
    MAX_ZIP_ENTRIES,
    SNIFF_BYTES,
    Limits,
    ReadError,
)

CHUNK = 64 * 1024
EOCD = b"PK\x05\x06"
RawCell = tuple[str, str, str]  # (type, style index, raw text)
RawRow = tuple[int, dict[int, RawCell]]  # (line, column index -> cell)
BUILTIN_DATE_FORMATS = {*range(14, 23), 45, 46, 47}
_COLUMN = re.compile(r"([A-Za-z]{1,3})")


def not_a_workbook() -> ReadError:
    return ReadError(_("The file is not a valid Excel (XLSX) workbook."))


def too_big() -> ReadError:
    return ReadError(_("The workbook unpacks to more data than an import accepts."))


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_declarations(*_args: Any) -> None:
    raise not_a_workbook()  # a workbook has no DTD: entity tricks are refused outright


def _parser(start: Callable, end: Callable | None, chars: Callable | None) -> Any:
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    return parser


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
            local = _local(name)
            if local == "workbookPr":
                found["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")
            elif local == "sheet" and found["sheet"] is None:
                found["sheet"] = next((v for k, v in attrs.items() if k == "id" or k.endswith(":id")), "")

        _parse_bytes(self._small_part("xl/workbook.xml") or b"", _parser(start, None, None))
        return found["sheet"], found["date1904"]

    def _relationships(self) -> dict[str, str]:
        """Relationship id -> part name; also "sharedStrings" and "styles" -> their part names."""
        targets: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) != "Relationship":
                return
            target = attrs.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[attrs.get("Id", "")] = part
            kind = attrs.get("Type", "").rpartition("/")[2]
            if kind in ("sharedStrings", "styles"):
                targets[kind] = part

        _parse_bytes(self._small_part("xl/_rels/workbook.xml.rels") or b"", _parser(start, None, None))
        return targets

    # ------------------------------------------------------------------ reading

    def shared_strings(self, *, upto: int | None = None, budget: int | None = None) -> list[str]:
        """The shared strings (all, or the first `upto + 1`), within the caps and `budget` unpacked bytes."""
        if self.shared is None:
            return []
        handler = _SharedStrings(upto)
        parser = _parser(handler.start, handler.end, handler.chars)
        for _chunk in _stream(self.zip, self.shared, parser, budget, stop=handler.done):
            pass
        return handler.strings

    def date_styles(self) -> set[int]:
        """Indexes of the cell styles that show a number as a date."""
        if self.styles is None:
            return set()
        handler = _Styles()
        for _chunk in _stream(self.zip, self.styles, _parser(handler.start, handler.end, None), 8 * 1024 * 1024):
            pass
        return handler.date_styles()

    def raw_rows(self, *, budget: int | None = None) -> Iterator[RawRow]:
        """The first sheet's rows as raw cells; stops quietly after `budget` unpacked bytes."""
        handler = _Sheet(self.limits)
        parser = _parser(handler.start, handler.end, handler.chars)
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


def column_index(reference: str | None) -> int | None:
    """ "A1" -> 0, "AB7" -> 27; None when the reference has no column."""
    match = _COLUMN.match(reference or "")
    if not match:
        return None
    index = 0
    for letter in match.group(1).upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Sheet:
    """expat handlers for a worksheet: completed rows are buffered until `drain()`."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.done: list[RawRow] = []
        self.line = 0
        self.rows_read = 0
        self.cells_read = 0
        self.row: dict[int, RawCell] | None = None
        self.next_column = 0
        self.cell: list[str] | None = None  # [type, style, text]
        self.column = 0
        self.text: list[str] | None = None
        self.text_length = 0
        self.phonetic = False

    def drain(self) -> list[RawRow]:
        rows, self.done = self.done, []
        return rows

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            self._start_row(attrs.get("r", ""))
        elif local == "c" and self.row is not None:
            self._start_cell(attrs)
        elif local == "rPh":
            self.phonetic = True
        elif self.cell is not None and local in ("v", "t") and not self.phonetic:
            self.text = []

    def _start_row(self, reference: str) -> None:
        line = int(reference) if reference.isdigit() else self.line + 1
        if line <= self.line or line > MAX_LINE:
            raise not_a_workbook()
        self.rows_read += 1
        if self.rows_read > self.limits.max_rows:
            raise ReadError(_("The file has more than %(limit)s rows.") % {"limit": self.limits.max_rows})
        self.line, self.row, self.next_column = line, {}, 0

    def _start_cell(self, attrs: dict[str, str]) -> None:
        column = column_index(attrs.get("r"))
        column = self.next_column if column is None else column
        if column >= self.limits.max_columns:
            raise ReadError(_("The file has more than %(limit)s columns.") % {"limit": self.limits.max_columns})
        self.cells_read += 1
        if self.cells_read > self.limits.max_cells:
            raise ReadError(_("The file has more than %(limit)s cells.") % {"limit": self.limits.max_cells})
        self.column, self.next_column = column, column + 1
        self.cell = [attrs.get("t", "n"), attrs.get("s", "0"), ""]
        self.text_length = 0

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text_length += len(data)
            if self.text_length > MAX_CELL_CHARS:
                raise ReadError(_("A cell holds more than %(limit)s characters.") % {"limit": MAX_CELL_CHARS})
            self.text.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t") and self.text is not None and self.cell is not None:
            self.cell[2] += "".join(self.text)
            self.text = None
        elif local == "rPh":
            self.phonetic = False
        elif local == "c" and self.cell is not None and self.row is not None:
            self.row[self.column] = (self.cell[0], self.cell[1], self.cell[2])
            self.cell = None
        elif local == "row" and self.row is not None:
            self.done.append((self.line, self.row))
            self.row = None


class _SharedStrings:
    """expat handlers for sharedStrings.xml, within MAX_SHARED_STRINGS and MAX_SHARED_CHARS."""

    def __init__(self, upto: int | None) -> None:
        self.upto = upto
        self.strings: list[str] = []
        self.text: list[str] | None = None
        self.collecting = False
        self.phonetic = False
        self.length = 0
        self.total = 0

    def done(self) -> bool:
        return self.upto is not None and len(self.strings) > self.upto

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self.text, self.length = [], 0
        elif local == "rPh":
            self.phonetic = True
        elif local == "t" and self.text is not None and not self.phonetic:
            self.collecting = True

    def chars(self, data: str) -> None:
        if self.collecting and self.text is not None:
            self.length += len(data)
            self.total += len(data)
            if self.length > MAX_CELL_CHARS or self.total > MAX_SHARED_CHARS:
                raise too_big()
            self.text.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic = False
        elif local == "si" and self.text is not None:
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise too_big()
            self.strings.append("".join(self.text))
            self.text = None


class _Styles:
    """expat handlers for styles.xml: which cell styles format numbers as dates."""

    DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt" and attrs.get("numFmtId", "").isdigit():
            self.custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs:
            if len(self.cell_formats) >= 100_000:
                raise too_big()
            number_format = attrs.get("numFmtId", "0")
            self.cell_formats.append(int(number_format) if number_format.isdigit() else 0)

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def _is_date(self, number_format: int) -> bool:
        if number_format in BUILTIN_DATE_FORMATS:
            return True
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", self.custom.get(number_format, ""))
        return bool(self.DATE_CODE.search(code))

    def date_styles(self) -> set[int]:
        return {index for index, number_format in enumerate(self.cell_formats) if self._is_date(number_format)}
