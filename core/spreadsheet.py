"""Cells of files people open in a spreadsheet (CSV and XLSX exports, reports)."""

from __future__ import annotations

# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A leading quote keeps spreadsheets from running the cell; phone numbers ("+33 6 …") stay as they are."""
    if text.startswith(FORMULA_STARTS) and not (text[0] == "+" and text[1:].replace(" ", "").isdigit()):
        return "'" + text
    return text
