"""Common ground of the contact repository's endpoints: throttles first, model permissions and API-key scopes,
strict filters and keyset pages, the 423 of a restricted contact, the disclosure log of what a key receives,
and what a write answers (crm.api.views uses them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import viewsets
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from access.models import ApiKey
from access.permissions import HasScope
from core.api import ThrottleFirstMixin

from .. import services
from ..models import AccessChannel
from .filters import StrictFilterBackend, StrictOrderingFilter
from .pagination import KeysetPagination
from .permissions import ModelPermissions


class Locked(APIException):
    status_code = 423
    default_detail = _("This contact is restricted (Art. 18): it is read-only.")
    default_code = "restricted"


def readable_fields(view: Any) -> list[str]:
    """The fields a response carries (write-only ones such as `justification` are never disclosed)."""
    return [name for name, field in view.get_serializer().fields.items() if not field.write_only]


def disclose_to_key(request: Request, contact_ids: Sequence[int], fields: Sequence[str]) -> None:
    """An API key receiving contacts' data is a disclosure to the client behind it (CON-06); staff reads are not.

    Whatever the method: a write's answer that carries the record discloses it as much as a read.
    """
    if isinstance(request.auth, ApiKey) and contact_ids:
        services.disclosure_record(
            recipient=request.auth.name,
            channel=AccessChannel.API,
            contact_ids=sorted(set(contact_ids)),
            fields=fields,
        )


class WriteAnswerMixin:
    """What a create, update or restore answers: the record only to a caller who may read it, logged as a read.

    A caller that may write but not read (an API key with contacts:write alone) would
    otherwise read a whole record through an empty PATCH, unlogged. It gets `receipt_fields`
    (the id and non-personal fields); a caller who may read gets the record, and the answer
    is logged like a read of it (`_log_answer`).
    """

    read_permission: str
    receipt_fields: tuple[str, ...]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write_answer(super().create(request, *args, **kwargs))  # type: ignore[misc]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._write_answer(super().update(request, *args, **kwargs))  # type: ignore[misc]

    def _write_answer(self, response: Response) -> Response:
        if not self.request.user.has_perm(self.read_permission):  # type: ignore[attr-defined]
            response.data = {name: response.data[name] for name in self.receipt_fields}
            return response
        self._log_answer(response.data)
        return response

    def _log_answer(self, data: dict[str, Any]) -> None:
        raise NotImplementedError


class ApiCommon(ThrottleFirstMixin):
    # Common ground: throttles first, model permissions (reads need `view`), API-key scopes, filters and keyset
    # pagination. (No docstring: drf-spectacular would show it as the description of every subclass's operations.)

    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    pagination_class = KeysetPagination


class ApiViewSet(ApiCommon, viewsets.ModelViewSet):
    pass


def ordering_parameter(orderings: dict[str, tuple[str, ...]], default: str) -> OpenApiParameter:
    """The `ordering` query parameter with its accepted values (DRF's OrderingFilter documents a bare string)."""
    return OpenApiParameter(
        "ordering",
        str,
        enum=[f"{sign}{name}" for name in orderings for sign in ("", "-")],
        description=f"Sort order, `-` for descending (default `{default}`); ties are broken by id.",
    )
