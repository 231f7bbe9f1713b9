"""The staff "Retention" area: policies and their coverage, previews, DPO approval, runs, legal holds."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from consent import tokens
from core.actors import Actor, acting_as
from core.decorators import staff_permission_required
from crm.models import Contact
from crm.subject_data import subject_data_collect

from . import repermission, services
from .forms import ArchiveOpenForm, LegalHoldForm, PolicyForm
from .hooks import policy_gaps
from .models import ArchivedContact, LegalHold, PurgeRun, RetentionPolicy, RunStatus
from .selectors import active_holds

AREA = "access.access_retention"


@staff_permission_required(AREA, "retention.view_retentionpolicy")
def index(request: HttpRequest) -> HttpResponse:
    policies = sorted(RetentionPolicy.objects.select_related("activity"), key=lambda p: (not p.enforced, p.key))
    counts = repermission.repermission_counts()
    for policy in policies:
        policy.repermission_stats = counts.get(policy.pk, {"sent": 0, "answered": 0})
    context = {
        "policies": policies,
        "gaps": policy_gaps(),
        "runs": PurgeRun.objects.select_related("policy", "operator")[:20],
        "holds": active_holds().select_related("contact", "organisation", "owner"),
    }
    return render(request, "retention/policy_list.html", context)


@staff_permission_required(AREA, "retention.change_retentionpolicy")
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(RetentionPolicy, pk=pk)
    form = PolicyForm(request.POST or None, instance=RetentionPolicy.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            data = {name: form.cleaned_data[name] for name in PolicyForm.Meta.fields}
            policy = services.policy_update(policy=policy, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Policy “%(name)s” saved.") % {"name": policy})
            return redirect("retention:index")
    return render(request, "retention/policy_form.html", {"form": form, "policy": policy})


@require_POST
@staff_permission_required(AREA, "retention.add_purgerun")
def policy_preview(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(RetentionPolicy.objects.exclude(target="none"), pk=pk)
    run = services.purge_run_preview(policy=policy, operator=request.user)
    return redirect("retention:run_detail", pk=run.pk)


@staff_permission_required(AREA, "retention.view_purgerun")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PurgeRun.objects.select_related("policy", "operator", "approved_by"), pk=pk)
    sample = Contact.objects.filter(pk__in=run.sample_ids) if not run.finished else Contact.objects.none()
    return render(request, "retention/run_detail.html", {"run": run, "sample": sample})


@staff_permission_required(AREA, "retention.view_purgerun")
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PurgeRun.objects.select_related("policy"), pk=pk)
    return render(request, "retention/partials/run_progress.html", {"run": run})


@require_POST
@staff_permission_required(AREA, "retention.approve_purgerun")
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(PurgeRun, pk=pk)
    try:
        if run.status == RunStatus.AWAITING_APPROVAL:
            services.purge_run_approve(run=run, user=request.user)
        else:
            services.purge_run_start(run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("retention:run_detail", pk=run.pk)


@staff_permission_required(AREA, "retention.add_legalhold")
def hold_create(request: HttpRequest) -> HttpResponse:
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_place(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Legal hold placed."))
            return redirect("retention:index")
    return render(request, "retention/hold_form.html", {"form": form})


@require_POST
@staff_permission_required(AREA, "retention.change_legalhold")
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    services.legal_hold_lift(hold=get_object_or_404(LegalHold, pk=pk))
    messages.success(request, _("Legal hold lifted."))
    return redirect("retention:index")


@staff_permission_required(AREA, "retention.open_archive")
def archive_open(request: HttpRequest, pk: int) -> HttpResponse:
    """RET-05: the reason first; the record (everything the map holds about the person) only with it."""
    get_object_or_404(ArchivedContact, contact_id=pk)
    form = ArchiveOpenForm(request.POST or None)
    sections = None
    if request.method == "POST" and form.is_valid():
        try:
            archive = services.archive_open(contact_id=pk, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            sections = subject_data_collect(contact=archive.contact)
    return render(request, "retention/archive_open.html", {"form": form, "sections": sections, "contact_id": pk})


@csrf_exempt  # the signed link is the credential; the public page sets no cookie (see consent.views.public)
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, token: str) -> HttpResponse:
    """RET-04, public: the person answers a re-permission request by ticking what they want to keep receiving."""
    from consent.services import Proof, wordings_mark_shown

    try:
        renewal = repermission.request_from_token(token)
    except tokens.BadToken as exc:
        raise Http404 from exc
    language = translation.get_language_from_request(request)
    choices = repermission.renewal_choices(language)
    error = None
    if request.method == "POST":
        chosen = [choice for choice in choices if request.POST.get(choice.field) == "on"]
        proof = Proof(
            form_id="re-permission",
            source_url=request.path[:60] + "…",
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        try:
            with acting_as(Actor.subject(f"contact #{renewal.contact_id} (signed link)")):
                renewal = repermission.repermission_answer(request=renewal, chosen=chosen, proof=proof)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    wordings_mark_shown({choice.wording for choice in choices})
    context = {"renewal": renewal, "choices": choices, "error": error, "language": language}
    with translation.override(language):
        response = render(request, "retention/renew.html", context)
    response["Content-Language"] = language
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept-Language"])
    return response


@require_POST
@staff_permission_required(AREA, "retention.add_purgerun")
def repermission_send(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(RetentionPolicy, pk=pk)
    sent = repermission.repermission_send(policy=policy)  # none for a policy that does not ask
    messages.success(request, _("%(count)d re-permission request(s) sent.") % {"count": sent})
    return redirect("retention:index")
