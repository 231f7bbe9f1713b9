"""The consent API: "may I contact?" (one or up to 10,000 at once), purposes, and recording events.

API keys need `consents:read` to ask and read, `consents:write` to record.
Staff need the consent models' permissions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.models import ApiKey
from access.permissions import HasScope
from core.api_pagination import ByIdPagination
from core.text import is_id_text
from crm.api.permissions import ModelPermissions
from crm.api.schema import BAD_REQUEST, OBJECT_ERRORS, READ_ERRORS, WRITE_ERRORS
from crm.models import Contact
from crm.querysets import can_see_all_contacts

from .. import services
from ..eligibility import Identifier, check_many, check_one, exclusion_counts
from ..models import Action, ConsentEvent, Purpose
from .serializers import (
    AnswerSerializer,
    BulkAnswerSerializer,
    BulkCheckSerializer,
    CheckQuerySerializer,
    ConsentEventSerializer,
    PurposeSerializer,
)

READ = {"read": ["consents:read"], "write": ["consents:read"]}
LIST_ERRORS = {400: BAD_REQUEST, **READ_ERRORS}
_EVENT = {"$ref": "#/components/schemas/ConsentEvent"}
RECORDED = OpenApiResponse(
    {"anyOf": [_EVENT, {"type": "array", "items": _EVENT}]},
    description="The event recorded; for an objection, the list of events it wrote.",
)


class CanCheck(BasePermission):
    """Staff who may read consent states; a key's scope is checked by HasScope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("consent.view_consentstate"))


def _owner_scope(request: Request) -> int | None:
    """A Sales user asks about the contacts they own only; keys and other staff reach every contact."""
    if isinstance(request.auth, ApiKey) or can_see_all_contacts(request.user):
        return None
    return request.user.pk


def _identifier(data: dict[str, Any]) -> Identifier:
    return Identifier(contact_id=data.get("contact"), email=data.get("email", ""))


class ConsentCheckView(APIView):
    permission_classes = [IsAuthenticated, HasScope, CanCheck]
    required_scopes = READ

    @extend_schema(
        summary="May I contact this person?",
        description="Answers allowed or denied, with the reason and the purpose's lawful basis. Unknown people and "
        "restricted contacts (Art. 18) are always denied; the suppression list and objections always win.",
        parameters=[CheckQuerySerializer],
        responses={200: AnswerSerializer, **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = CheckQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        answer = check_one(
            _identifier(data),
            purpose=data["purpose"],
            channel=data["channel"],
            now=data.get("at"),
            owner_id=_owner_scope(request),
        )
        return Response(answer.as_dict())

    @extend_schema(
        summary="May I contact these people? (up to 10,000)",
        request=BulkCheckSerializer,
        responses={200: BulkAnswerSerializer, **LIST_ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = BulkCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        answers = check_many(
            [_identifier(item) for item in data["identifiers"]],
            purpose=data["purpose"],
            channel=data["channel"],
            now=data.get("at"),
            owner_id=_owner_scope(request),
        )
        return Response({"results": [a.as_dict() for a in answers], "denied": exclusion_counts(answers)})


@extend_schema_view(
    list=extend_schema(
        summary="List purposes",
        description="Each purpose with its lawful basis, channels and wordings.",
        responses={200: PurposeSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a purpose", responses={200: PurposeSerializer, **OBJECT_ERRORS}),
)
class PurposeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    # "write" only so that a write method is the honest 405 (no handler), not a 403.
    required_scopes = READ
    serializer_class = PurposeSerializer
    pagination_class = ByIdPagination
    queryset = Purpose.objects.select_related("activity").prefetch_related("wordings").order_by("id")
    lookup_field = "key"


@extend_schema_view(
    list=extend_schema(
        summary="List consent events",
        parameters=[OpenApiParameter("contact", OpenApiTypes.INT, description="Only this contact's events.")],
        responses={200: ConsentEventSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a consent event", responses={200: ConsentEventSerializer, **OBJECT_ERRORS}),
    create=extend_schema(
        summary="Record a consent, a withdrawal or an objection",
        description="Append-only: events are never changed. Recording a consent (`given`) needs the `wording` "
        "version the person was shown. An objection (`objected`) marks every marketing purpose on every channel "
        "(the purpose and channel sent are ignored), adds the person's addresses to the suppression list and "
        "answers with the list of events it wrote.",
        responses={201: RECORDED, **WRITE_ERRORS},
    ),
)
class ConsentEventViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    required_scopes = {"read": ["consents:read"], "write": ["consents:write"]}
    serializer_class = ConsentEventSerializer
    pagination_class = ByIdPagination

    def get_queryset(self) -> Any:
        events = ConsentEvent.objects.select_related("purpose").order_by("id")
        contact = _contact_filter(self.request) if self.action == "list" else None
        if contact is not None:
            events = events.filter(contact_id=contact)
        if isinstance(self.request.auth, ApiKey):
            return events.filter(contact__restricted=False)
        return events.filter(contact__in=Contact.objects.restrict(self.request.user, "view"))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not isinstance(request.auth, ApiKey) and not _may_record(request.user, data["contact"]):
            raise ValidationError({"contact": [_("No contact you may reach has this id.")]})
        proof = services.Proof(
            form_id=data.get("form_id", ""),
            source_url=data.get("source_url", ""),
            ip_address=data.get("ip_address"),
            user_agent=data.get("user_agent", ""),
            note=data.get("note", ""),
            api_key=request.auth if isinstance(request.auth, ApiKey) else None,
            staff_user=None if isinstance(request.auth, ApiKey) else request.user,
        )
        if data["action"] == Action.OBJECTED:
            events = services.objection_record(contact=data["contact"], method=data["method"], proof=proof)
            return Response(self.get_serializer(events, many=True).data, status=status.HTTP_201_CREATED)
        event = _record(data, proof)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


def _contact_filter(request: Request) -> int | None:
    """The `?contact=` id of the events list, None when absent; anything but one whole number is a 400."""
    values = request.query_params.getlist("contact")
    if not values:
        return None
    if len(values) > 1 or not is_id_text(values[0]) or len(values[0]) > 18:
        raise exceptions.ValidationError({"contact": [_("Give one contact id, a whole number.")]})
    return int(values[0])


def _may_record(user: Any, contact: Contact) -> bool:
    return Contact.objects.restrict(user, "change").filter(pk=contact.pk).exists()


def _record(data: dict[str, Any], proof: services.Proof) -> ConsentEvent:
    contact, purpose, channel, method = data["contact"], data["purpose"], data["channel"], data["method"]
    if data["action"] == Action.WITHDRAWN:
        return services.consent_event_record(
            contact=contact, purpose=purpose, channel=channel, action=Action.WITHDRAWN, method=method, proof=proof
        )
    return services.consent_give(
        contact=contact,
        purpose=purpose,
        channel=channel,
        method=method,
        wording=data["wording"],
        proof=proof,
        occurred_at=data.get("occurred_at"),
    )
