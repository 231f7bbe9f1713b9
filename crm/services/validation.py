"""Validation across several checks, so that a form or an API client sees every field error at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError


def collect_errors(*checks: Callable[[], Any]) -> list[Any]:
    """Run each check, returning their results (None for a failed one) or raising one ValidationError with all."""
    results: list[Any] = []
    errors: dict[str, list[Any]] = {}
    for check in checks:
        try:
            results.append(check())
        except ValidationError as error:
            error.update_error_dict(errors)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results
