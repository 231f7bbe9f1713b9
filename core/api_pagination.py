"""Cursor pagination by id for the small read-only collections of the API (registry, consent).

DRF's CursorPagination answers a cursor it cannot read with a 404; here it is a
400 with the documented field-error shape (crm.api.schema.BAD_REQUEST), like
crm.api.pagination.KeysetPagination.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from .text import is_id_text


class ByIdPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    invalid_cursor_message = _("Invalid cursor: use the `next` or `previous` link of an earlier page.")

    def decode_cursor(self, request: Request) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        # The position is compared with the integer id: anything but digits would be a database error.
        if cursor is not None and cursor.position is not None and not is_id_text(str(cursor.position)):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor
