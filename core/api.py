"""API plumbing shared by every app: the one place domain errors become HTTP answers, the JSON parser that
refuses hostile bodies, the JSON 404 for unknown `/api/` paths, and throttling that runs before authentication
and permissions.

Every error answer has one of two documented shapes (crm.api.schema): `{"detail": "..."}`, or, for a 400,
messages by field name (`non_field_errors` for the request as a whole).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.http import HttpRequest, JsonResponse
from django.utils.timezone import is_aware
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from .models import AppendOnlyError

NON_FIELD_ERRORS_KEY = api_settings.NON_FIELD_ERRORS_KEY
# Deeper than any body the API documents (a list of strings in an object is depth 2); a deep body is an attack.
MAX_JSON_DEPTH = 20


def _too_deep() -> str:
    return gettext("The JSON body is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH}


def _hostile_json(value: Any, depth: int = 0) -> str | None:
    """Why a parsed JSON value cannot be accepted (too deep, NUL or lone surrogate in a string), or None."""
    if depth > MAX_JSON_DEPTH:
        return _too_deep()
    if isinstance(value, str):
        if "\x00" in value:
            return gettext("Text may not contain the NUL character (\\u0000).")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return gettext("Text may not contain unpaired surrogates (\\ud800 to \\udfff).")
        return None
    children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            problem = _hostile_json(child, depth + 1)
            if problem:
                return problem
    return None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, plus: a body nested too deep, or text PostgreSQL cannot store (NUL, a lone surrogate),
    is a 400 parse error, never a RecursionError or a database error."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        except ValueError as error:  # also UnicodeDecodeError
            raise exceptions.ParseError(gettext("JSON parse error: %(error)s") % {"error": error}) from None
        problem = _hostile_json(data)
        if problem:
            raise exceptions.ParseError(problem)
        return data


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


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
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _as_field_errors(response.data)
    return response


def _as_field_errors(data: Any) -> dict[str, Any]:
    """A 400 always lists messages by field: a parse error's `detail`, or a bare list, goes to `non_field_errors`."""
    if isinstance(data, dict) and set(data) == {"detail"}:
        return {NON_FIELD_ERRORS_KEY: [str(data["detail"])]}
    if isinstance(data, list):
        return {NON_FIELD_ERRORS_KEY: [str(message) for message in data]}
    return data


@csrf_exempt  # like every API view: a POST to a wrong address is a JSON 404, not the HTML CSRF page
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any `/api/` path no endpoint matches (an id with a dot or a slash, a typo): a JSON 404, never an HTML page."""
    return JsonResponse({"detail": gettext("No endpoint at this address.")}, status=status.HTTP_404_NOT_FOUND)


class ThrottleFirstMixin:
    """Throttles every caller, anonymous ones and bad keys included, before saying 401 or 403.

    DRF checks authentication and permissions before throttles, so a caller without valid
    credentials was never throttled: the anonymous rate had no effect and keys could be
    guessed at full speed. Here a failed authentication counts against the caller's address
    (the `anon` rate), and throttles run before permissions; each runs once per request.
    """

    def perform_authentication(self, request: Request) -> None:
        try:
            request.user  # noqa: B018 - authenticates
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # request.user is now anonymous: counted by address
            raise
        self.check_throttles(request)

    def check_throttles(self, request: Request) -> None:
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        super().check_throttles(request)  # type: ignore[misc]


# --------------------------------------------------------------------------- strict input types
# DRF turns 5 into "5" for a text field, "5" into 5 for an id, and reads a JSON object as a list of its
# keys for a many-relation; the schema promises strings, integers and arrays, so anything else is a 400.


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean where the schema says string is refused, not converted."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An integer id only (not "5", 5.0 or true)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A JSON array only (DRF would read an object as the list of its keys)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, Mapping):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A related object named by a string (never a number); `many=True` wants a JSON array."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> StrictManyRelatedField:
        # DRF's RelatedField.many_init, with the strict list field.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class UtcDateTimeField(serializers.DateTimeField):
    """Date-times go out in UTC (`…Z`): in the server's zone, a date before 1911 would carry Paris mean time's
    +00:09:21 offset, which RFC 3339 cannot express. Input keeps DRF's rules."""

    def to_representation(self, value: Any) -> str | None:
        if not value or isinstance(value, str):
            return value or None
        text = (value.astimezone(UTC) if is_aware(value) else value).isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose model fields take only the JSON type the schema documents, and answers in UTC."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.DateTimeField: UtcDateTimeField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
