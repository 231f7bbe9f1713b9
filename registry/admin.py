"""Admin: the organisation profile and the recipients are configuration; activities and breaches are read here
and written in the staff UI, through the services that keep the workflow and the audit events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .models import Breach, OrganisationProfile, ProcessingActivity, Recipient


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(SimpleHistoryAdmin):
    list_display = ("controller_name", "dpo_name", "review_period_months", "updated_at")


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "country", "transfer_mechanism", "contract_reference")
    list_filter = ("kind", "transfer_mechanism")
    search_fields = ("name",)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(ReadOnlyAdmin):
    list_display = ("reference", "name", "role", "status", "next_review_at", "updated_at")
    list_filter = ("status", "role")
    search_fields = ("reference", "name")


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "aware_at", "risk_level", "notified_at", "closed_at")
    list_filter = ("risk_level", "authority_decision")
