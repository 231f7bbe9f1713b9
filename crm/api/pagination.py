"""Cursor pagination for the REST API over the keyset pages the staff list uses (crm.keyset.keyset_page).

A page is one index range scan whatever its depth, ties are broken by the id and
NULLs sort last; the cursor is an encrypted token, so no name ever appears in a
URL or a server log. (DRF's CursorPagination keeps only the first ordering field
in a readable cursor and steps over ties with an offset capped at 1,000.)

A view declares the orders its `?ordering=` values select, as `KeysetOrder`s
named after the value, and a default:

    keyset_orders = keyset_orders_for({"last_name_key": ("last_name_key", "first_name_key", "id")}, Contact)
    keyset_default = "-id"
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.text import is_id_text

from ..keyset import InvalidCursor, KeysetOrder, KeysetPage, keyset_page

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def keyset_orders_for(
    columns_by_name: dict[str, tuple[str, ...]], model: type[Model], *, bytewise: tuple[str, ...] = ()
) -> dict[str, KeysetOrder]:
    """An ascending and a descending order per `?ordering=` name (`name`, `-name`); the last column is unique.

    `bytewise` names the text columns whose index compares bytes (see KeysetOrder), so the walk can use it.
    """
    orders = {}
    for name, columns in columns_by_name.items():
        nullable = model._meta.get_field(columns[0]).null
        text = tuple(column for column in columns if column in bytewise)
        for descending in (False, True):
            value = f"-{name}" if descending else name
            orders[value] = KeysetOrder(value, columns, descending=descending, nullable_first=nullable, bytewise=text)
    return orders


class KeysetPagination(CursorPagination):
    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = _("Number of results per page (at most 200).")
    invalid_cursor_message = _("Invalid cursor: use the `next` or `previous` link of an earlier page.")
    invalid_page_size_message = _("Give a whole number from 1 to %d.")

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Model]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        order = self.get_order(request, queryset, view)
        token = request.query_params.get(self.cursor_query_param, "")
        try:
            self.keyset: KeysetPage = keyset_page(queryset, order, cursor=token, size=self.page_size, strict=True)
        except InvalidCursor:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        self.page = self.keyset.rows
        self.has_next, self.has_previous = self.keyset.has_next, self.keyset.has_previous
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def get_page_size(self, request: Request) -> int:
        """`page_size` from 1 to MAX_PAGE_SIZE, PAGE_SIZE when absent; anything else is a 400, not the default."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not is_id_text(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [self.invalid_page_size_message % MAX_PAGE_SIZE]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def get_order(self, request: Request, queryset: QuerySet, view: Any) -> KeysetOrder:
        orders: dict[str, KeysetOrder] = view.keyset_orders
        requested = self._requested_ordering(request, queryset, view)
        return orders.get(requested or "") or orders[view.keyset_default]

    @staticmethod
    def _requested_ordering(request: Request, queryset: QuerySet, view: Any) -> str | None:
        """The first term the view's OrderingFilter accepted (it drops the terms it does not know)."""
        for backend in getattr(view, "filter_backends", []):
            if hasattr(backend, "get_ordering"):
                ordering = backend().get_ordering(request, queryset, view)
                return ordering[0] if ordering else None
        return None

    def get_next_link(self) -> str | None:
        if not self.keyset.next_cursor:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.keyset.next_cursor)

    def get_previous_link(self) -> str | None:
        if not self.keyset.previous_cursor:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.keyset.previous_cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})
