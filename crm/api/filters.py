"""Filters of the organisation and interaction endpoints (contacts share crm.filters.ContactFilter with the UI)."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from ..models import (
    Interaction,
    InteractionKind,
    NotificationCause,
    NotificationStatus,
    Organisation,
    RecipientNotification,
)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC.

    Python accepts offsets up to ±23:59, PostgreSQL only ±15:59; and a date at
    the edge of year 1 or 9999 may not survive the conversion.
    """

    def to_python(self, value: str | None) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError(_("Enter a date-time between the years 1 and 9999."), code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


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
