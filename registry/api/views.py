"""Read-only REST endpoints of the registry: processing activities and breaches.

Staff read with the models' `view` permissions; API keys need the
`registry:read` scope. Writes go through the staff UI, where the DPO workflow lives.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from access.permissions import HasScope
from core.api_pagination import ByIdPagination
from crm.api.permissions import ModelPermissions
from crm.api.schema import BAD_REQUEST, OBJECT_ERRORS, READ_ERRORS

from ..models import ActivityDataCategory, Breach, ProcessingActivity
from .serializers import BreachSerializer, ProcessingActivitySerializer

# "write" is declared only so that a key sending a write method gets the honest 405 (there is no handler),
# not a 403: writes go through the staff UI.
REGISTRY_SCOPES = {"read": ["registry:read"], "write": ["registry:read"]}
LIST_ERRORS = {400: BAD_REQUEST, **READ_ERRORS}


class RegistryReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    pagination_class = ByIdPagination
    required_scopes = REGISTRY_SCOPES


@extend_schema_view(
    list=extend_schema(
        summary="List processing activities",
        description="Every entry of the record of processing activities (Art. 30), oldest first.",
        responses={200: ProcessingActivitySerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a processing activity", responses={200: ProcessingActivitySerializer, **OBJECT_ERRORS}
    ),
)
class ProcessingActivityViewSet(RegistryReadOnly):
    serializer_class = ProcessingActivitySerializer
    queryset = ProcessingActivity.objects.select_related("approved_by").prefetch_related(
        "recipients", Prefetch("data_categories", queryset=ActivityDataCategory.objects.order_by("category"))
    )


@extend_schema_view(
    list=extend_schema(
        summary="List breaches",
        description="The breach register (Art. 33(5)): every breach, notified or not.",
        responses={200: BreachSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a breach", responses={200: BreachSerializer, **OBJECT_ERRORS}),
)
class BreachViewSet(RegistryReadOnly):
    serializer_class = BreachSerializer
    queryset = Breach.objects.prefetch_related("notifications")
