"""Small checks on text that arrives in requests."""

from __future__ import annotations


def is_id_text(text: str) -> bool:
    """Only ASCII digits: "²".isdigit() is true, but int("²") fails."""
    return text.isascii() and text.isdigit()
