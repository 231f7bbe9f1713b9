"""API plumbing shared by every app: the one place domain errors become HTTP answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .models import AppendOnlyError

NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS_KEY: exc.messages}
        # Model-wide errors (constraints, clean()) come keyed "__all__"; DRF calls them non_field_errors.
        if NON_FIELD_ERRORS in detail:
            detail[NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        return Response(
            {NON_FIELD_ERRORS_KEY: ["This change conflicts with existing data."]}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, AppendOnlyError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
