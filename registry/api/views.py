"""Read-only REST endpoints of the registry: processing activities and breaches.

Staff read with the models' `view` permissions; API keys need the
`registry:read` scope. Writes go through the staff UI, where the DPO workflow lives.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated

from core.permissions import HasScope
from crm.api.permissions import ModelPermissions

from ..models import ActivityDataCategory, Breach, ProcessingActivity
from .serializers import BreachSerializer, ProcessingActivitySerializer

REGISTRY_SCOPES = {"read": ["registry:read"]}


class ByIdPagination(CursorPagination):
    ordering = "id"
    page_size = 50


class RegistryReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    pagination_class = ByIdPagination
    required_scopes = REGISTRY_SCOPES


@extend_schema_view(
    list=extend_schema(
        summary="List processing activities",
        description="Every entry of the record of processing activities (Art. 30), oldest first.",
    ),
    retrieve=extend_schema(summary="Read a processing activity"),
)
class ProcessingActivityViewSet(RegistryReadOnly):
    serializer_class = ProcessingActivitySerializer
    queryset = ProcessingActivity.objects.select_related("approved_by").prefetch_related(
        "recipients", Prefetch("data_categories", queryset=ActivityDataCategory.objects.order_by("category"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="List breaches", description="The breach register (Art. 33(5)): every breach, notified or not."
    ),
    retrieve=extend_schema(summary="Read a breach"),
)
class BreachViewSet(RegistryReadOnly):
    serializer_class = BreachSerializer
    queryset = Breach.objects.prefetch_related("notifications")
