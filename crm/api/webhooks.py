"""REST endpoints of the recipients' webhooks (Art. 19 notices by machine) and their delivery log.

For staff with the models' permissions (Administrator, DPO; the Auditor reads); not open to API keys.
The secret is write-only: no answer ever carries it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from access.permissions import HasScope
from core.api import StrictCharField, StrictModelSerializer, ThrottleFirstMixin
from core.api_pagination import ByIdPagination

from ..models import RecipientEndpoint, WebhookDelivery
from ..services.webhooks import MAX_URL_LENGTH, recipient_endpoint_delete, recipient_endpoint_save
from .permissions import ModelPermissions
from .schema import BAD_REQUEST, OBJECT_ERRORS, OBJECT_WRITE_ERRORS, READ_ERRORS, WRITE_ERRORS


class RecipientEndpointSerializer(StrictModelSerializer):
    url = StrictCharField(max_length=MAX_URL_LENGTH, help_text="https:// (http only to hosts the operator allows).")
    secret = StrictCharField(
        write_only=True,
        required=False,
        max_length=200,
        help_text="At least 16 characters; signs every notice. Required on creation; never returned.",
    )

    class Meta:
        model = RecipientEndpoint
        fields = ["id", "recipient", "url", "secret", "reference_system", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"recipient": {"validators": []}}  # uniqueness is the service's field error


class WebhookDeliverySerializer(StrictModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "notification",
            "attempt",
            "notice_id",
            "attempted_at",
            "status_code",
            "duration_ms",
            "outcome",
            "error",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List recipients' webhooks",
        description="Recipients (as named in the disclosure log) that receive a signed notice for each Art. 19 task.",
        responses={200: RecipientEndpointSerializer(many=True), 400: BAD_REQUEST, **READ_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a webhook", responses={200: RecipientEndpointSerializer, **OBJECT_ERRORS}),
    create=extend_schema(
        summary="Register a recipient's webhook",
        description="The URL must be https (or http to a host the operator allows) and resolve to public "
        'addresses only; the secret (16 characters or more) signs each notice (README, "Art. 19 notices by '
        'webhook").',
        responses={201: RecipientEndpointSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a webhook", responses={200: RecipientEndpointSerializer, **OBJECT_WRITE_ERRORS}
    ),
    partial_update=extend_schema(
        summary="Change a webhook",
        description="An absent or empty `secret` keeps the current one.",
        responses={200: RecipientEndpointSerializer, **OBJECT_WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a webhook", responses={204: OpenApiResponse(description="Removed."), **OBJECT_ERRORS}
    ),
)
class RecipientEndpointViewSet(ThrottleFirstMixin, viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    serializer_class = RecipientEndpointSerializer
    pagination_class = ByIdPagination
    queryset = RecipientEndpoint.objects.order_by("id")
    action_permissions = {"deliveries": ["crm.view_webhookdelivery"]}

    def perform_create(self, serializer: RecipientEndpointSerializer) -> None:
        serializer.instance = recipient_endpoint_save(data=serializer.validated_data)

    def perform_update(self, serializer: RecipientEndpointSerializer) -> None:
        serializer.instance = recipient_endpoint_save(data=serializer.validated_data, endpoint=serializer.instance)

    def perform_destroy(self, instance: RecipientEndpoint) -> None:
        recipient_endpoint_delete(endpoint=instance)

    @extend_schema(
        summary="A webhook's delivery log",
        description="Every attempt to post a notice, newest first (the last 200): attempt, status code, duration, "
        "outcome and the error's kind (never the answer's body).",
        responses={200: WebhookDeliverySerializer(many=True), **OBJECT_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        endpoint = self.get_object()
        rows = endpoint.deliveries.order_by("-attempted_at", "-id")[:200]
        return Response(WebhookDeliverySerializer(rows, many=True).data)
