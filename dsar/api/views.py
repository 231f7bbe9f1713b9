"""The requests API (staff sessions): the queue, a case, registering one, its timeline, matches, extension, refusal.

Reading needs `dsar.view_request`; registering `dsar.add_request`; matching
`dsar.change_request`; extending and refusing `dsar.decide_request`. API keys are
not let in: requests are handled by people. Domain errors come back as
field-level 400s (core.api.exception_handler).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response

from access.permissions import HasScope
from core.api_pagination import ByIdPagination
from crm.api.permissions import ModelPermissions
from crm.api.schema import BAD_REQUEST, OBJECT_ERRORS, OBJECT_WRITE_ERRORS, READ_ERRORS, WRITE_ERRORS
from crm.models import Contact

from .. import selectors, services
from ..models import Request
from .serializers import (
    ExtendSerializer,
    MatchAddSerializer,
    RefuseSerializer,
    RequestCreateSerializer,
    RequestEventSerializer,
    RequestFilterSerializer,
    RequestMatchSerializer,
    RequestSerializer,
)

LIST_ERRORS = {400: BAD_REQUEST, **READ_ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="List requests",
        description="The queue of data-subject requests, filtered like the staff queue (`status=active` for the "
        "running ones), by id.",
        parameters=[RequestFilterSerializer],
        responses={200: RequestSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="Read a request", responses={200: RequestSerializer, **OBJECT_ERRORS}),
    create=extend_schema(
        summary="Register a request received by e-mail, post, phone or in person",
        description="Dated from its actual receipt (DSR-01); the due date is one month later. Contacts holding "
        "the address are matched, and the requester, if an address is given, receives the acknowledgement.",
        request=RequestCreateSerializer,
        responses={201: RequestSerializer, **WRITE_ERRORS},
    ),
    events=extend_schema(
        summary="A request's timeline", responses={200: RequestEventSerializer(many=True), **OBJECT_ERRORS}
    ),
    matches=extend_schema(
        methods=["GET"],
        summary="Contacts matched to a request",
        responses={200: RequestMatchSerializer(many=True), **OBJECT_ERRORS},
    ),
    extend=extend_schema(
        summary="Extend by two further months (Art. 12(3))",
        description="Only up to the original due date, with a reason that the notice sent to the requester quotes.",
        request=ExtendSerializer,
        responses={200: RequestSerializer, **OBJECT_WRITE_ERRORS},
    ),
    refuse=extend_schema(
        summary="Refuse, or take no action, on a listed ground (Art. 12(4),(5))",
        description="The notice states the reasons, the right to complain to the CNIL and the judicial remedy.",
        request=RefuseSerializer,
        responses={200: RequestSerializer, **OBJECT_WRITE_ERRORS},
    ),
)
class RequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated, HasScope, ModelPermissions]
    required_scopes = None  # not open to API keys
    serializer_class = RequestSerializer
    pagination_class = ByIdPagination
    action_permissions = {
        "events": ["dsar.view_request"],
        "extend": ["dsar.decide_request"],
        "refuse": ["dsar.decide_request"],
    }

    def get_queryset(self) -> Any:
        requests = Request.objects.select_related("assignee").order_by("id")
        if self.action != "list":
            return requests
        # A plain dict: from a QueryDict DRF would read `?status=` as "absent" instead of refusing it.
        query = RequestFilterSerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.requests_filter(requests, **query.filters()).order_by("id")

    def get_permissions(self) -> list[Any]:
        if self.action == "matches":
            needed = ["dsar.view_request"] if self.request.method == "GET" else ["dsar.change_request"]
            self.action_permissions = {**self.action_permissions, "matches": needed}
        return super().get_permissions()

    def create(self, request: ApiRequest, *args: Any, **kwargs: Any) -> Response:
        body = RequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = services.request_register(
            rights=data["rights"],
            name=data["name"],
            email=data["email"],
            details=data["details"],
            channel=data["channel"],
            received_at=data["received_at"],
            language=data["language"],
            assignee=data.get("assignee"),
        )
        return Response(RequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request: ApiRequest, pk: str | None = None) -> Response:
        case = self.get_object()
        return Response(RequestEventSerializer(case.events.all(), many=True).data)

    @extend_schema(
        methods=["POST"],
        summary="Match a contact to a request",
        request=MatchAddSerializer,
        responses={201: RequestMatchSerializer, **OBJECT_WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def matches(self, request: ApiRequest, pk: str | None = None) -> Response:
        case = self.get_object()
        if request.method == "GET":
            return Response(RequestMatchSerializer(case.matches.all(), many=True).data)
        body = MatchAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = Contact.objects.restrict(request.user, "view").filter(pk=body.validated_data["contact"]).first()
        if contact is None:
            raise exceptions.ValidationError({"contact": [_("No contact you may reach has this id.")]})
        match = services.request_match_add(request=case, contact=contact)
        return Response(RequestMatchSerializer(match).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def extend(self, request: ApiRequest, pk: str | None = None) -> Response:
        case = self.get_object()
        body = ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.request_extend(request=case, **body.validated_data)
        return Response(RequestSerializer(case).data)

    @action(detail=True, methods=["post"])
    def refuse(self, request: ApiRequest, pk: str | None = None) -> Response:
        case = self.get_object()
        body = RefuseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.request_refuse(request=case, **body.validated_data)
        return Response(RequestSerializer(case).data)
