"""Reading import files: CSV (as spreadsheets save it) and XLSX, row by row, within `limits`.

Line numbers are spreadsheet row numbers: with a header, it is line 1 and the
first data row line 2, which is what the person who prepared the file sees.
Blank rows are skipped but keep their number.

Two ways in:
- `peek` is the first look, in the web request: at most SNIFF_BYTES of the file
  (of each XLSX part), for the columns, whether the first row is a header, the
  first rows and a row count (exact when the peek read the whole file);
- `open_table` reads the whole file as a stream, in the worker.

A first row that holds data (an e-mail address, a phone number, a date) is not
a header: the columns are then named by position and that row is data, so no
column name is ever made of a person's data.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from .limits import MAX_RECORD_CHARS, SNIFF_BYTES, Limits, ReadError
from .mapping import suggest_target
from .xlsx import Workbook

__all__ = ["Peek", "ReadError", "Table", "csv_text", "detect_format", "looks_like_header", "open_table", "peek"]

ENCODINGS = ("utf-8-sig", "cp1252")  # UTF-8 (with or without BOM), else what French Excel writes
DELIMITERS = ";,\t|"
DELIMITER_SAMPLE_LINES = 20
DELIMITER_SAMPLE_CHARS = 8 * 1024
HEADER_SEARCH_LINES = 20  # XLSX: the header is the first non-blank row among these
_DATA_LIKE = re.compile(r"@|\d[\d\s./:+()-]{4,}\d|^\s*[-+]?\d+([.,]\d+)?\s*$")


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line, values), blank rows left out


@dataclass
class Peek:
    columns: list[str]
    has_header: bool
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # the first data rows read
    complete: bool = False  # the peek read the whole file: `count` is exact
    count: int = 0  # non-blank data rows (an estimate unless complete)


def detect_format(filename: str) -> str | None:
    suffix = Path(filename).suffix.lower()
    return {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}.get(suffix)


def unique_columns(headers: list[Any]) -> list[str]:
    """Header cells as text, blanks named after their position, repeats made unique ("Email", "Email (2)")."""
    columns: list[str] = []
    for position, header in enumerate(headers, start=1):
        name = " ".join(str(header if header is not None else "").split()) or _("Column %(n)s") % {"n": position}
        candidate, suffix = name, 2
        while candidate in columns:
            candidate, suffix = f"{name} ({suffix})", suffix + 1
        columns.append(candidate)
    return columns


def positional_columns(count: int) -> list[str]:
    return unique_columns([""] * count)


def looks_like_header(cells: list[str]) -> bool:
    """Whether a first row names columns: some cell is a known column name and none looks like a value.

    A value is anything with an "@", a number, a phone number or a date: a
    header row holds none, and a row of a person's data almost always holds one.
    """
    texts = [cell.strip() for cell in cells if cell and cell.strip()]
    if not texts or any(_DATA_LIKE.search(text) for text in texts):
        return False
    return any(suggest_target(text) for text in texts)


def open_table(path: str | Path, fmt: str, *, has_header: bool = True, limits: Limits | None = None) -> Table:
    """The whole file as a stream of rows (for the worker): bounded memory, capped rows, columns and cells."""
    limits = limits or Limits.from_settings()
    if fmt == "xlsx":
        return _xlsx_table(Path(path), has_header, limits)
    return _csv_table(Path(path), has_header, limits)


def peek(path: str | Path, fmt: str, *, rows: int = 50, limits: Limits | None = None) -> Peek:
    """A first look at the file within SNIFF_BYTES (per XLSX part): columns, header or not, first rows, count."""
    limits = limits or Limits.from_settings()
    if fmt == "xlsx":
        return _xlsx_peek(Path(path), rows, limits)
    return _csv_peek(Path(path), rows, limits)


def _header_and_data(
    first: tuple[int, list[str]] | None, has_header: bool | None
) -> tuple[list[str], bool, list[tuple[int, list[str]]]]:
    """Columns, whether `first` is a header (decided now when `has_header` is None), and the rows it adds."""
    if first is None:
        raise ReadError(_("The file is empty."))
    header = looks_like_header(first[1]) if has_header is None else has_header
    if header:
        return unique_columns(first[1]), True, []
    return positional_columns(len(first[1])), False, [first]


def _check_width(values: list[str], limits: Limits) -> None:
    if len(values) > limits.max_columns:
        raise ReadError(_("The file has more than %(limit)s columns.") % {"limit": limits.max_columns})


# --------------------------------------------------------------------------- CSV


def _encoding(path: Path) -> str:
    """The first encoding that decodes the whole file (read in blocks: the file can be large)."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError(_("The file is neither UTF-8 nor Windows-1252 text."))  # cp1252 decodes almost anything


def _decode_sample(data: bytes, complete: bool) -> str:
    for encoding in ENCODINGS:
        try:
            return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
    raise ReadError(_("The file is neither UTF-8 nor Windows-1252 text."))


def _delimiter(sample: str) -> str:
    # The sniffer's cost grows with its sample (seconds for 64 KB of hostile text): a few lines decide.
    sample = "\n".join(sample[:DELIMITER_SAMPLE_CHARS].split("\n")[:DELIMITER_SAMPLE_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide on: count in the header line.
        header = sample.splitlines()[0] if sample else ""
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def _whole_lines(sample: str, complete: bool) -> str:
    """The sample cut at its last complete line, so the sniffer and the reader see whole records."""
    if not complete and "\n" in sample:
        return sample[: sample.rindex("\n") + 1]
    return sample


class _RecordGuard:
    """The lines `csv.reader` reads, each record refused past MAX_RECORD_CHARS (before it is built in memory).

    Lines are read with a length limit, so a file without line breaks is not
    read whole either; `record_done()` starts the count of the next record.
    """

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.size = 0

    def __iter__(self) -> _RecordGuard:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        self.size += len(line)
        if self.size > MAX_RECORD_CHARS:
            raise ReadError(_("A line of the file is longer than %(limit)s characters.") % {"limit": MAX_RECORD_CHARS})
        return line

    def record_done(self) -> None:
        self.size = 0


def _csv_lines(handle: IO[str], delimiter: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with their line numbers, within the record, row, column and cell caps."""
    guard = _RecordGuard(handle)
    reader = csv.reader(guard, delimiter=delimiter)
    line = cells = 0
    try:
        for values in reader:
            guard.record_done()
            line += 1
            if line > limits.max_rows:
                raise ReadError(_("The file has more than %(limit)s rows.") % {"limit": limits.max_rows})
            _check_width(values, limits)
            cells += len(values)
            if cells > limits.max_cells:
                raise ReadError(_("The file has more than %(limit)s cells.") % {"limit": limits.max_cells})
            if any(value.strip() for value in values):
                yield line, values
    except csv.Error as exc:
        raise ReadError(_("Line %(line)s is not valid CSV.") % {"line": line + 1}) from exc


def _first_line(lines: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    first = next(lines, None)
    if first is None or first[0] != 1:
        raise ReadError(_("The first line must hold the column names or the first contact."))
    return first


def _csv_peek(path: Path, count: int, limits: Limits) -> Peek:
    size = path.stat().st_size
    with path.open("rb") as handle:
        data = handle.read(SNIFF_BYTES)
    complete = size <= SNIFF_BYTES
    sample = _whole_lines(_decode_sample(data, complete), complete)
    lines = _csv_lines(io.StringIO(sample, newline=""), _delimiter(sample), limits)
    columns, has_header, added = _header_and_data(_first_line(lines), None)
    rows = [*added, *lines]
    estimate = len(rows) if complete else round(len(rows) * size / max(len(sample.encode("utf-8")), 1))
    return Peek(columns=columns, has_header=has_header, rows=rows[:count], complete=complete, count=estimate)


def _csv_table(path: Path, has_header: bool, limits: Limits) -> Table:
    encoding = _encoding(path)
    handle: IO[str] = path.open("r", encoding=encoding, newline="")
    try:
        sample = _whole_lines(handle.read(SNIFF_BYTES), False)
        handle.seek(0)
        lines = _csv_lines(handle, _delimiter(sample), limits)
        columns, _header, added = _header_and_data(_first_line(lines), has_header)
    except BaseException:
        handle.close()
        raise
    return Table(columns=columns, rows=_closing(itertools.chain(added, lines), handle.close))


def _closing(rows: Iterator[tuple[int, list[str]]], close: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    finally:
        close()


# --------------------------------------------------------------------------- XLSX


def _xlsx_texts(book: Workbook, raw_rows: Iterator[Any], strings: list[str], dates: set[int]) -> Iterator:
    """Raw rows as (line, texts), blank rows left out."""
    for line, cells in raw_rows:
        if not cells:
            continue
        texts = [""] * (max(cells) + 1)
        for column, cell in cells.items():
            texts[column] = book.cell_text(cell, strings, dates)
        if any(texts):
            yield line, texts


def _xlsx_first(rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    first = next(rows, None)
    if first is not None and first[0] > HEADER_SEARCH_LINES:
        raise ReadError(_("The file is empty."))
    return first


def _xlsx_table(path: Path, has_header: bool, limits: Limits) -> Table:
    book = Workbook(path, limits)
    try:
        rows = _xlsx_texts(book, book.raw_rows(), book.shared_strings(), book.date_styles())
        columns, _header, added = _header_and_data(_xlsx_first(rows), has_header)
    except BaseException:
        book.close()
        raise
    return Table(columns=columns, rows=_closing(itertools.chain(added, rows), book.close))


def _last_string(raw: list[Any]) -> int:
    """The highest shared-string index these rows use (a peek reads the strings up to it, no further)."""
    return max((int(c[2]) for _line, cells in raw for c in cells.values() if c[0] == "s" and c[2].isdigit()), default=0)


def _xlsx_peek(path: Path, count: int, limits: Limits) -> Peek:
    with Workbook(path, limits) as book:
        raw = list(book.raw_rows(budget=SNIFF_BYTES))
        complete = book.read_whole
        if not raw and not complete:
            raise ReadError(_("The first row of the sheet is too large to read."))
        strings = book.shared_strings(upto=None if complete else _last_string(raw[: count + 1]), budget=SNIFF_BYTES)
        rows = _xlsx_texts(book, iter(raw), strings, book.date_styles())
        columns, has_header, added = _header_and_data(_xlsx_first(rows), None)
        data = [*added, *itertools.islice(rows, count)]
        total = len(data) + sum(1 for _ in rows)
    if not complete:
        total = max(total, round(total * book.sheet.file_size / SNIFF_BYTES))
    return Peek(columns=columns, has_header=has_header, rows=data, complete=complete, count=total)


# --------------------------------------------------------------------------- report


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """Rows as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()
