"""The pieces of the streaming XLSX reader: errors, the expat parser set-up and the handlers of each part.

Each handler keeps at most one cell (or one shared string) in the making, and
checks its caps as the parser reports elements, before anything grows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from django.utils.translation import gettext as _

from ..limits import MAX_CELL_CHARS, MAX_LINE, MAX_SHARED_CHARS, MAX_SHARED_STRINGS, Limits, ReadError

RawCell = tuple[str, str, str]  # (type, style index, raw text)
RawRow = tuple[int, dict[int, RawCell]]  # (line, column index -> cell)
BUILTIN_DATE_FORMATS = {*range(14, 23), 45, 46, 47}
_COLUMN = re.compile(r"([A-Za-z]{1,3})")


def not_a_workbook() -> ReadError:
    return ReadError(_("The file is not a valid Excel (XLSX) workbook."))


def too_big() -> ReadError:
    return ReadError(_("The workbook unpacks to more data than an import accepts."))


def local_name(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_declarations(*_args: Any) -> None:
    raise not_a_workbook()  # a workbook has no DTD: entity tricks are refused outright


def xml_parser(start: Callable, end: Callable | None, chars: Callable | None) -> Any:
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


def column_index(reference: str | None) -> int | None:
    """ "A1" -> 0, "AB7" -> 27; None when the reference has no column."""
    match = _COLUMN.match(reference or "")
    if not match:
        return None
    index = 0
    for letter in match.group(1).upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class SheetHandler:
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
        local = local_name(name)
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
        local = local_name(name)
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


class SharedStringsHandler:
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
        local = local_name(name)
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
        local = local_name(name)
        if local == "t":
            self.collecting = False
        elif local == "rPh":
            self.phonetic = False
        elif local == "si" and self.text is not None:
            if len(self.strings) >= MAX_SHARED_STRINGS:
                raise too_big()
            self.strings.append("".join(self.text))
            self.text = None


class StylesHandler:
    """expat handlers for styles.xml: which cell styles format numbers as dates."""

    DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = local_name(name)
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
        if local_name(name) == "cellXfs":
            self.in_cell_xfs = False

    def _is_date(self, number_format: int) -> bool:
        if number_format in BUILTIN_DATE_FORMATS:
            return True
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", self.custom.get(number_format, ""))
        return bool(self.DATE_CODE.search(code))

    def date_styles(self) -> set[int]:
        return {index for index, number_format in enumerate(self.cell_formats) if self._is_date(number_format)}
