"""How much of an uploaded file the import reads: hostile files are refused before they cost memory or time.

A spreadsheet is a zip of XML: a few hundred kilobytes can unpack to gigabytes
(a "bomb"). Every cap here is checked before or while reading, never after:
the zip's declared sizes before anything is unpacked, the bytes unpacked while
streaming, then rows, columns, cells and the text of one cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

# What a first look at an upload reads (in the web request): the header and the first rows.
SNIFF_BYTES = 64 * 1024
# Excel's own limits: text in one cell, rows in one sheet.
MAX_CELL_CHARS = 32_767
MAX_LINE = 1_048_576
# CSV: one record (its lines, quoted line breaks included), refused before `csv` builds it in memory.
MAX_RECORD_CHARS = 512 * 1024
# One XML token (a tag with its attributes, a comment): expat holds a token whole before reporting it.
MAX_XML_TOKEN_BYTES = 1024 * 1024
# The zip's table of contents (read before anything is unpacked).
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 4 * 1024 * 1024
# XLSX shared strings are held in memory while a sheet is read: these bound that memory.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 16_000_000


@dataclass(frozen=True)
class Limits:
    max_rows: int  # lines read, blank ones included
    max_columns: int
    max_cells: int
    max_unpacked_bytes: int  # XLSX: the parts the import reads, unpacked

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_rows=int(getattr(settings, "IMPORT_MAX_ROWS", 500_000)),
            max_columns=int(getattr(settings, "IMPORT_MAX_COLUMNS", 200)),
            max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", 10_000_000)),
            max_unpacked_bytes=int(getattr(settings, "IMPORT_XLSX_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)),
        )


class ReadError(ValueError):
    """The file cannot be read as a table; the message is safe to show (it holds no row value)."""
