"""Reading import files: CSV (as spreadsheets save it) and XLSX, row by row.

Line numbers are spreadsheet row numbers: the header is line 1, the first
data row line 2, which is what the person who prepared the file sees. Blank
rows are skipped but keep their number.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp1252")  # UTF-8 (with or without BOM), else what French Excel writes
DELIMITERS = ";,\t|"
SNIFF_BYTES = 64 * 1024


class ReadError(ValueError):
    """The file cannot be read as a table; the message is safe to show (it holds no row value)."""


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line, values), blank rows left out


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


def open_table(path: str | Path, fmt: str) -> Table:
    if fmt == "xlsx":
        return _xlsx_table(Path(path))
    return _csv_table(Path(path))


def columns_and_count(path: str | Path, fmt: str) -> tuple[list[str], int]:
    """The column names and the non-blank data rows, from one reading of the file.

    The count is exact for CSV; for XLSX it is the sheet's declared size when it has one.
    """
    if fmt == "xlsx":
        return _xlsx_columns_and_count(Path(path))
    table = _csv_table(Path(path))
    return table.columns, sum(1 for _ in table.rows)


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


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide on: count in the header line.
        header = sample.splitlines()[0] if sample else ""
        counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def _csv_table(path: Path) -> Table:
    encoding = _encoding(path)
    handle: IO[str] = path.open("r", encoding=encoding, newline="")
    sample = handle.read(SNIFF_BYTES)
    handle.seek(0)
    # Cut the sample at its last complete line so the sniffer sees whole records.
    if len(sample) == SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    reader = csv.reader(handle, delimiter=_delimiter(sample))
    try:
        headers = next(reader)
    except StopIteration:
        handle.close()
        raise ReadError(_("The file is empty.")) from None
    except csv.Error as exc:
        handle.close()
        raise ReadError(_("The file is not valid CSV.")) from exc
    if not any(cell.strip() for cell in headers):
        handle.close()
        raise ReadError(_("The first line must hold the column names."))
    return Table(columns=unique_columns(headers), rows=_csv_rows(reader, handle))


def _csv_rows(reader: Any, handle: IO[str]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for values in reader:
            line += 1
            if any(value.strip() for value in values):
                yield line, values
    except csv.Error as exc:
        raise ReadError(_("Line %(line)s is not valid CSV.") % {"line": line + 1}) from exc
    finally:
        handle.close()


# --------------------------------------------------------------------------- XLSX


def _xlsx_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "not a workbook"
        raise ReadError(_("The file is not a valid Excel (XLSX) workbook.")) from exc


def _xlsx_table(path: Path) -> Table:
    return _xlsx_sheet_table(_xlsx_workbook(path))


def _xlsx_sheet_table(workbook: Any) -> Table:
    """The first sheet as a table; its rows close the workbook once read (so does an empty sheet's error)."""
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    for line, values in enumerate(rows, start=1):
        if any(_cell_text(value) for value in values):
            return Table(columns=unique_columns(list(values)), rows=_xlsx_rows(rows, line, workbook))
        if line >= 20:
            break
    workbook.close()
    raise ReadError(_("The file is empty."))


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], header_line: int, workbook: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, values in enumerate(rows, start=header_line + 1):
            texts = [_cell_text(value) for value in values]
            if any(texts):
                yield line, texts
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A cell as the text a CSV export would hold (dates in ISO form, whole numbers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_columns_and_count(path: Path) -> tuple[list[str], int]:
    workbook = _xlsx_workbook(path)
    try:
        declared = workbook.worksheets[0].max_row
        table = _xlsx_sheet_table(workbook)
        return table.columns, max(declared - 1, 0) if declared else sum(1 for _ in table.rows)
    finally:
        workbook.close()


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """Rows as CSV text (used for the downloadable report)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


def sample_values(path: str | Path, fmt: str, count: int = 3) -> dict[str, list[str]]:
    """column -> its first `count` non-blank values (shown beside the mapping to the person who uploaded the file)."""
    table = open_table(path, fmt)
    found: dict[str, list[str]] = {column: [] for column in table.columns}
    for _line, values in itertools.islice(table.rows, 50):
        for column, value in zip(table.columns, values, strict=False):
            if value.strip() and len(found[column]) < count:
                found[column].append(value.strip()[:60])
    return found
