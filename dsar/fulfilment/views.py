"""Staff pages of fulfilment: the request's fulfilment page and one action per right (views call the services)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_permission_required
from crm.forms import add_service_errors
from crm.models import Contact
from dsar.models import ErasureRun, Request

from . import erasure, files, rights
from .common import matched_contacts
from .forms import ObjectionDecisionForm, RectificationForm, RestrictionForm

FULFIL = ("access.access_requests", "dsar.fulfil_request")
ERASE = ("access.access_requests", "dsar.erase_request")


def _request(pk: int) -> Request:
    return get_object_or_404(Request, pk=pk)


def _contact(case: Request, contact_id: int) -> Contact:
    for contact in matched_contacts(case):
        if contact.pk == contact_id:
            return contact
    raise Http404


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _back(case: Request) -> HttpResponse:
    return redirect("dsar:request_detail", pk=case.pk)


def _carry_out(request: HttpRequest, case: Request, action: Callable[[], object], done: str) -> HttpResponse:
    """Run a fulfilment service; its refusal becomes an error message, its success `done`; back to the case."""
    try:
        action()
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, done)
    return _back(case)


def fulfilment_context(case: Request) -> dict[str, Any]:
    """What the fulfilment page (and the request page's actions section) shows."""
    return {
        "case": case,
        "rights": case.rights or [],
        "contacts": matched_contacts(case),
        "files": case.response_files.all(),
        "runs": case.erasure_runs.all(),
        "restrictions": case.restrictions.select_related("contact"),
        "outcomes": case.objection_outcomes.all(),
        "restriction_form": RestrictionForm(),
        "objection_form": ObjectionDecisionForm(),
    }


@staff_permission_required(*FULFIL)
@require_GET
def fulfilment(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "dsar/fulfilment/request_fulfilment.html", fulfilment_context(_request(pk)))


@staff_permission_required(*FULFIL)
@require_POST
def access_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _request(pk)
    return _carry_out(
        request,
        case,
        lambda: files.access_report_create(request=case),
        _("The access report is ready; the download link was sent to the requester."),
    )


@staff_permission_required(*FULFIL)
@require_POST
def portability_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _request(pk)
    return _carry_out(
        request,
        case,
        lambda: files.portability_export_create(request=case),
        _("The export is ready; the download link was sent to the requester."),
    )


@staff_permission_required(*FULFIL, "crm.change_contact")
@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    case = _request(pk)
    contact = _contact(case, contact_id)
    form = RectificationForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        changes, emails, phones = form.changes()
        try:
            changed = rights.rectification_apply(
                request=case, contact=contact, changes=changes, emails=emails, phones=phones
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Corrected: %s. The requester was told.") % ", ".join(changed))
            return _back(case)
    context = {"case": case, "contact": contact, "form": form}
    return render(request, "dsar/fulfilment/rectify.html", context, status=400 if form.errors else 200)


@staff_permission_required(*ERASE)
@require_http_methods(["GET", "POST"])
def erasure_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    case = _request(pk)
    if request.method == "POST":
        try:
            run = erasure.erasure_start(request=case)
        except ValidationError as error:
            _error(request, error)
            return _back(case)
        return redirect("dsar:erasure_run", pk=run.pk)
    previews = erasure.erasure_preview(request=case)
    return render(request, "dsar/fulfilment/erasure_preview.html", {"case": case, "previews": previews})


@staff_permission_required("access.access_requests")
@require_GET
def erasure_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ErasureRun.objects.select_related("request"), pk=pk)
    template = "dsar/fulfilment/_erasure_progress.html" if request.headers.get("HX-Request") else None
    context = {"run": run, "case": run.request, "proofs": run.proofs.all()}
    return render(request, template or "dsar/fulfilment/erasure_run.html", context)


@staff_permission_required(*FULFIL, "crm.restrict_contact")
@require_POST
def restrict(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    case = _request(pk)
    contact = _contact(case, contact_id)
    form = RestrictionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(case)
    return _carry_out(
        request,
        case,
        lambda: rights.restriction_place(request=case, contact=contact, reason=form.cleaned_data["reason"]),
        _("The contact is restricted for this request."),
    )


@staff_permission_required(*FULFIL)
@require_POST
def object_marketing(request: HttpRequest, pk: int) -> HttpResponse:
    case = _request(pk)
    return _carry_out(
        request,
        case,
        lambda: rights.objection_marketing(request=case),
        _("The objection to direct marketing is applied."),
    )


@staff_permission_required(*FULFIL)
@require_http_methods(["GET", "POST"])
def object_decide(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    case = _request(pk)
    contact = _contact(case, contact_id)
    form = ObjectionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights.objection_decide(request=case, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded and the requester told."))
            return _back(case)
    context = {"case": case, "contact": contact, "form": form}
    return render(request, "dsar/fulfilment/objection_decide.html", context, status=400 if form.errors else 200)
