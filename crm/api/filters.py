"""Filters of the organisation and interaction endpoints (contacts share crm.filters.ContactFilter with the UI)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from ..models import (
    Interaction,
    InteractionKind,
    NotificationCause,
    NotificationStatus,
    Organisation,
    RecipientNotification,
)

# RFC 3339 `date-time`, as the schema documents it: a date, "T", a time, and an offset ("Z" or ±hh:mm).
RFC3339_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


OFFSET_NEEDED = _("Enter a date-time with its offset, e.g. 2026-03-01T09:30:00+01:00.")


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC.

    Python accepts offsets up to ±23:59, PostgreSQL only ±15:59; and a date at
    the edge of year 1 or 9999 may not survive the conversion.
    """

    def to_python(self, value: str | None) -> datetime | None:
        if value not in self.empty_values and not RFC3339_DATE_TIME.fullmatch(str(value)):
            raise ValidationError(OFFSET_NEEDED, code="invalid")
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_("Enter a date-time between the years 1 and 9999."), code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` takes one of the values the view documents (its `keyset_orders`); anything else is a 400
    (DRF's filter silently drops terms it does not know, and the list comes back in another order)."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str] | None:
        raw = request.query_params.get(self.ordering_param)
        if raw is not None and raw not in getattr(view, "keyset_orders", {}):
            allowed = ", ".join(getattr(view, "keyset_orders", {}))
            raise serializers.ValidationError({self.ordering_param: [_("Sort by one of: %s.") % allowed]})
        return super().get_ordering(request, queryset, view)


BLANK_TYPED_FILTER = _("Give a value, or leave the parameter out.")


class StrictFilterBackend(DjangoFilterBackend):
    """The API's filters: a blank value for a typed filter (an id, a choice, a date-time) is a 400.

    The staff list's forms send blank fields and mean "no filter"; an API caller sending
    `?owner=` sent something that is not the integer the schema documents. Text filters
    (`q`, `email`, `country`…) still take a blank value as no filter.
    """

    def get_filterset(self, request: Request, queryset: QuerySet, view: Any) -> django_filters.FilterSet | None:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        blank = [
            name
            for name, filter_ in filterset.filters.items()
            if request.query_params.get(name) == "" and not isinstance(filter_, django_filters.CharFilter)
        ]
        if blank:
            raise serializers.ValidationError({name: [BLANK_TYPED_FILTER] for name in blank})
        return filterset


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # NumberFilter would read "0.5" as a decimal and match id 0


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name prefix (accents and case ignored)"))
    country = django_filters.CharFilter(field_name="country", label=_("Country (ISO 3166 code)"))

    class Meta:
        model = Organisation
        fields = ["q", "country"]

    def filter_q(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        return queryset.search(value)


class InteractionFilter(django_filters.FilterSet):
    contact = IdFilter(field_name="contact_id", label=_("Contact id"))
    kind = django_filters.ChoiceFilter(choices=InteractionKind.choices, label=_("Kind"))
    occurred_after = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label=_("Occurred at or after (ISO 8601)")
    )
    occurred_before = UtcIsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label=_("Occurred before (ISO 8601)")
    )

    class Meta:
        model = Interaction
        fields = ["contact", "kind", "occurred_after", "occurred_before"]


class RecipientNotificationFilter(django_filters.FilterSet):
    contact = IdFilter(field_name="contact_ref", label=_("Contact id"))
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices, label=_("Status"))
    cause = django_filters.ChoiceFilter(choices=NotificationCause.choices, label=_("Cause"))
    recipient = django_filters.CharFilter(field_name="recipient", label=_("Recipient (exact name)"))

    class Meta:
        model = RecipientNotification
        fields = ["contact", "status", "cause", "recipient"]
