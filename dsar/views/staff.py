"""The staff area "Requests": the queue, registering a request, the case page and its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.deadlines import art12_days_left, art12_extension_open, local_today
from core.decorators import staff_permission_required
from crm.forms import add_service_errors
from crm.models import Contact

from .. import selectors, services
from ..forms import (
    AssignForm,
    CommunicateForm,
    ExtendForm,
    IdentityConfirmForm,
    InformationAskForm,
    InformationReceiveForm,
    NoteForm,
    QueueFilterForm,
    RefuseForm,
    RegisterForm,
)
from ..models import Request, RequestStatus

AREA = "access.access_requests"
VIEW = (AREA, "dsar.view_request")
CHANGE = (AREA, "dsar.change_request")
ADD = (AREA, "dsar.add_request")
DECIDE = (AREA, "dsar.decide_request")
PAGE_SIZE = 50
FULFILMENT_ACTIONS = "dsar/fulfilment/_actions.html"


@staff_permission_required(*VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {"status": "active"} if not request.GET else {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "right": data["right"],
            "days_left": data["days_left"],
            "overdue": data["overdue"],
            "at_risk": data["at_risk"],
            "reference": data["q"],
        }
        if data["assignee"] == "me":
            filters["assignee"] = request.user
        elif data["assignee"] == "none":
            filters["unassigned"] = True
        elif data["assignee"]:
            filters["assignee"] = int(data["assignee"])
    queryset = selectors.requests_filter(**filters) if form.is_valid() or not request.GET else Request.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    today = local_today()
    rows = [(r, art12_days_left(r.due_date, today), selectors.request_risk(r, today)) for r in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dsar/request_list.html",
        {"form": form, "rows": rows, "page": page, "query_string": query.urlencode(), "today": today},
    )


@staff_permission_required(*ADD)
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_register(
                rights=data["rights"],
                name=data["name"],
                email=data["email"],
                details=data["details"],
                channel=data["channel"],
                received_at=data["received_at"],
                language=data["language"],
                assignee=data["assignee"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request %(reference)s registered.") % {"reference": created.reference})
            return redirect("dsar:request_detail", pk=created.pk)
    return render(
        request,
        "dsar/request_form.html",
        {"form": form, "title": _("Register a request"), "form_id": "request-register-form"},
    )


def _fulfilment_template() -> str | None:
    try:
        return select_template([FULFILMENT_ACTIONS]).template.name
    except TemplateDoesNotExist:
        return None


def _detail_context(request: HttpRequest, case: Request, **forms: Any) -> dict[str, Any]:
    today = local_today()
    user = request.user
    contact_q = request.GET.get("contact_q", "").strip()[:100]
    found = []
    if contact_q:
        found = list(Contact.objects.restrict(user, "view").search(contact_q).order_by("last_name_key", "pk")[:20])
    return {
        "case": case,
        "today": today,
        "days_left": art12_days_left(case.due_date, today),
        "risk": selectors.request_risk(case, today),
        "events": case.events.all(),
        "notes": case.notes.select_related("author"),
        "matches": case.matches.select_related("contact"),
        "contact_q": contact_q,
        "found": found,
        "can_change": user.has_perm("dsar.change_request") and case.is_active,
        "can_decide": user.has_perm("dsar.decide_request") and case.is_active,
        "extension_open": case.extended_at is None
        and art12_extension_open(case.received_at, paused_days=case.paused_days, today=today),
        "fulfilment_template": _fulfilment_template(),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"assignee": case.assignee_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "ask_form": forms.get("ask_form") or InformationAskForm(),
        "receive_form": forms.get("receive_form") or InformationReceiveForm(),
        "identity_form": forms.get("identity_form") or IdentityConfirmForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
        "communicate_form": forms.get("communicate_form") or CommunicateForm(),
        "statuses": RequestStatus,
    }


@staff_permission_required(*VIEW)
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Request.objects.select_related("assignee", "identity_verified_by"), pk=pk)
    return render(request, "dsar/request_detail.html", _detail_context(request, case))


def _action(
    request: HttpRequest,
    pk: int,
    form_class: type,
    form_name: str,
    perform: Any,
    success: str,
    files: bool = False,
) -> HttpResponse:
    """Validate the action's form, call its service, come back to the case; errors show on the case page."""
    case = get_object_or_404(Request, pk=pk)
    form = form_class(request.POST, request.FILES if files else None)
    if form.is_valid():
        try:
            perform(case, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(reverse("dsar:request_detail", args=[pk]))
    context = _detail_context(request, case, **{form_name: form})
    context["open_form"] = form_name
    return render(request, "dsar/request_detail.html", context)


@staff_permission_required(*CHANGE)
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        AssignForm,
        "assign_form",
        lambda case, data: services.request_assign(request=case, assignee=data["assignee"]),
        _("Assignee saved."),
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        NoteForm,
        "note_form",
        lambda case, data: services.request_note_add(request=case, text=data["text"], author=request.user),
        _("Note added."),
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_ask_information(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        InformationAskForm,
        "ask_form",
        lambda case, data: services.request_information_ask(
            request=case, reason=data["reason"], message_text=data["message"], document=data["document"]
        ),
        _("The requester was asked for more information; the clock is suspended."),
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_receive_information(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        InformationReceiveForm,
        "receive_form",
        lambda case, data: services.request_information_receive(
            request=case, method=data["method"], checked_by=request.user, document=data["document"], note=data["note"]
        ),
        _("Identity checked; the clock runs again."),
        files=True,
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_confirm_identity(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        IdentityConfirmForm,
        "identity_form",
        lambda case, data: services.request_identity_confirm(
            request=case, method=data["method"], checked_by=request.user
        ),
        _("Identity checked."),
    )


@staff_permission_required(*DECIDE)
@require_POST
def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        ExtendForm,
        "extend_form",
        lambda case, data: services.request_extend(request=case, category=data["category"], reason=data["reason"]),
        _("Request extended; the requester was told why."),
    )


@staff_permission_required(*DECIDE)
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        RefuseForm,
        "refuse_form",
        lambda case, data: services.request_refuse(
            request=case, ground=data["ground"], explanation=data["explanation"]
        ),
        _("Request refused; the notice was sent."),
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_communicate(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        CommunicateForm,
        "communicate_form",
        lambda case, data: services.request_communicate(request=case, note=data["note"]),
        _("Answer recorded as communicated; the case is closed."),
    )


@staff_permission_required(*CHANGE)
@require_POST
def request_match_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Request, pk=pk)
    contact = Contact.objects.restrict(request.user, "view").filter(pk=_int(request.POST.get("contact"))).first()
    if contact is None:
        messages.error(request, _("Choose a contact among the search results."))
    else:
        try:
            services.request_match_add(request=case, contact=contact)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Contact matched."))
    return redirect("dsar:request_detail", pk=pk)


@staff_permission_required(*CHANGE)
@require_POST
def request_match_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    case = get_object_or_404(Request, pk=pk)
    try:
        services.request_match_remove(request=case, contact_id=contact_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Match removed."))
    return redirect("dsar:request_detail", pk=pk)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
