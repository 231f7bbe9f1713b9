"""One FilterSet for contacts, shared by the staff list and the API (STYLE.md)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Contact, ContactStatus, Organisation, PersonKind, Tag

ART14_PENDING, ART14_OVERDUE = "pending", "overdue"


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search"), help_text=_("Name prefix, or an exact email or phone number")
    )
    email = django_filters.CharFilter(method="filter_email", label=_("Email (exact)"))
    phone = django_filters.CharFilter(method="filter_phone", label=_("Phone (exact)"))
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all(), label=_("Organisation"))
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=Tag.objects.all(), to_field_name="name", label=_("Tag")
    )
    status = django_filters.ChoiceFilter(choices=ContactStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=PersonKind.choices, label=_("Kind"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner (user id)"))
    art14 = django_filters.ChoiceFilter(
        method="filter_art14",
        choices=[(ART14_PENDING, _("Not sent yet")), (ART14_OVERDUE, _("Overdue"))],
        label=_("Art. 14 notice"),
        help_text=_("Pending: from an indirect source (import), no notice yet. Overdue: past the one-month deadline."),
    )

    class Meta:
        model = Contact
        fields = ["q", "email", "phone", "organisation", "tag", "status", "kind", "owner", "art14"]

    def filter_q(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.search(value)

    def filter_email(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.with_email(value)

    def filter_phone(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.with_phone(value)

    def filter_art14(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.art14_overdue() if value == ART14_OVERDUE else queryset.art14_pending()
