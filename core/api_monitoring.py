"""REST endpoints of the compliance dashboard (every figure and current alert, SEC-05) and the audit explorer.

Staff sessions only (no API key scope opens them): the DPO, the auditor and the administrators' tools read them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import figures
from .alerts import alerts_current
from .api import ThrottleFirstMixin
from .audit_explorer import DEFAULT_LIMIT, MAX_LIMIT, Query, audit_search, parse_object, source_names

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}}
ERRORS = {
    401: OpenApiResponse(_DETAIL, description="Not signed in."),
    403: OpenApiResponse(_DETAIL, description="The role does not allow this request."),
}


# The API's default checks (signed in; an API key only where its scopes open the endpoint, access.permissions),
# named through the settings so that core imports nothing of access.
DEFAULT_PERMISSIONS = list(api_settings.DEFAULT_PERMISSION_CLASSES)


def perms_required(*perms: str) -> type[BasePermission]:
    class Required(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))

    return Required


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.JSONField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="Null until the figures job computed it once.")


class AlertSerializer(serializers.Serializer):
    kind = serializers.CharField()
    severity = serializers.ChoiceField(choices=["red", "amber"])
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    figures = FigureSerializer(many=True)
    alerts = AlertSerializer(many=True)


class DashboardView(ThrottleFirstMixin, APIView):
    permission_classes = [*DEFAULT_PERMISSIONS, perms_required("access.access_dashboard")]

    @extend_schema(
        summary="Read the compliance dashboard",
        description="Every dashboard figure with when it was computed, and the alerts the dashboard shows now.",
        responses={200: DashboardSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        readings = figures.figures_read(figures.registered_keys())
        body = {
            "figures": [
                {"key": r.key, "value": r.value, "computed_at": r.computed_at}
                for r in sorted(readings.values(), key=lambda r: r.key)
            ],
            "alerts": [alert.as_dict() for alert in alerts_current()],
        }
        return Response(DashboardSerializer(body).data)


class AuditQuerySerializer(serializers.Serializer):
    user = serializers.CharField(required=False, allow_blank=True, max_length=150)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    object = serializers.CharField(required=False, allow_blank=True, max_length=120)
    action = serializers.CharField(required=False, allow_blank=True, max_length=64)
    source = serializers.ChoiceField(required=False, allow_blank=True, choices=["event", "history", "access"])
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # A query string sends "since=" as an empty string, which DRF would take for "not given": refuse it.
        empty = {name: ["This field may not be blank."] for name in ("since", "until", "limit") if data.get(name) == ""}
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)

    def validate_object(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        try:
            parse_object(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict["object"]) from error
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": "The end date is before the start date."})
        return attrs


class AuditRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    source = serializers.CharField()
    actor = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    detail = serializers.CharField()


class AuditSearchView(ThrottleFirstMixin, APIView):
    permission_classes = [*DEFAULT_PERMISSIONS, perms_required("access.access_audit", "core.view_auditevent")]

    @extend_schema(
        summary="Search the audit trail",
        description=(
            "Change history of every tracked model, domain events and record views, newest first, filtered by "
            "user, date range, object (`crm.Contact:42` or a contact id) and action."
        ),
        parameters=[AuditQuerySerializer],
        responses={
            200: AuditRowSerializer(many=True),
            400: OpenApiResponse(description="Invalid filters: field-level messages."),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        params = AuditQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        object_type, object_id = parse_object(data.get("object", ""))
        query = Query(
            user=data.get("user", ""),
            since=data.get("since"),
            until=data.get("until"),
            object_type=object_type,
            object_id=object_id,
            action=data.get("action", ""),
            source=data.get("source", "") if data.get("source", "") in source_names() else "",
        )
        rows = audit_search(query, limit=data["limit"])
        return Response(AuditRowSerializer(rows, many=True).data)
