from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import deadlines
from core.decorators import staff_permission_required

from .. import selectors, services
from ..choices import ActivityStatus
from ..coverage import coverage_gaps
from ..forms import ActivityForm, ApprovalForm, CommentForm
from ..models import ProcessingActivity
from .common import AREA, add_service_errors

VIEW = (AREA, "registry.view_processingactivity")
EDIT = (AREA, "registry.change_processingactivity")


@staff_permission_required(*VIEW)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The register: every entry with its status, the gaps the coverage check finds, what is due for review."""
    today = deadlines.local_today()
    status = request.GET.get("status", "")
    activities = selectors.activities_with_details()
    if status == ActivityStatus.REVIEW_DUE:
        activities = activities.due_for_review(today)
    elif status in ActivityStatus.values:
        activities = activities.filter(status=status)
    rows = [(activity, activity.display_status(today), activity.review_due_on(today)) for activity in activities]
    context = {
        "rows": rows,
        "status": status,
        "statuses": ActivityStatus.choices,
        "gaps": coverage_gaps(),
        "profile": selectors.organisation_profile(),
    }
    return render(request, "registry/activity_list.html", context)


def _detail_context(request: HttpRequest, activity: ProcessingActivity, approval_form: ApprovalForm) -> dict:
    today = deadlines.local_today()
    numbers = selectors.version_numbers(activity)
    return {
        "activity": activity,
        "display_status": activity.display_status(today),
        "review_due": activity.review_due_on(today),
        "missing": services.submission_errors(activity),
        "comments": activity.comments.all(),
        "approvals": [(a, numbers.get(a.history_id)) for a in activity.approvals.all()],
        "approval_form": approval_form,
        "comment_form": CommentForm(),
        "can_edit": request.user.has_perm("registry.change_processingactivity"),
        "can_approve": request.user.has_perm(services.activities.APPROVE_PERMISSION),
        "reviewable": services.activities.reviewable(activity, today),
    }


@staff_permission_required(*VIEW)
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activities_with_details(), pk=pk)
    return render(request, "registry/activity_detail.html", _detail_context(request, activity, ApprovalForm()))


def _save(request: HttpRequest, form: ActivityForm, activity: ProcessingActivity | None) -> ProcessingActivity | None:
    arguments = {
        "data": form.activity_data(),
        "categories": form.categories(),
        "recipients": list(form.cleaned_data["recipients"]),
        "user": request.user,
    }
    try:
        if activity is None:
            return services.activity_create(**arguments)
        return services.activity_update(activity=activity, **arguments)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@staff_permission_required(AREA, "registry.add_processingactivity")
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = _save(request, form, None)
        if activity is not None:
            messages.success(request, _("Activity saved as a draft."))
            return redirect("registry:activity_detail", pk=activity.pk)
    return render(request, "registry/activity_form.html", {"form": form}, status=400 if form.errors else 200)


@staff_permission_required(*EDIT)
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, activity)
        if saved is not None:
            if saved.status == ActivityStatus.REVIEW_DUE and activity.status == ActivityStatus.APPROVED:
                messages.warning(request, _("The approved entry changed: it is due for review by the DPO."))
            else:
                messages.success(request, _("Activity saved."))
            return redirect("registry:activity_detail", pk=activity.pk)
    context = {"form": form, "activity": activity}
    return render(request, "registry/activity_form.html", context, status=400 if form.errors else 200)


@staff_permission_required(*EDIT)
@require_POST
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, pk=pk)
    try:
        services.activity_submit(activity=activity, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Submitted to the DPO for review."))
    return redirect("registry:activity_detail", pk=pk)


@staff_permission_required(*VIEW, services.activities.APPROVE_PERMISSION)
@require_POST
def activity_approve(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(selectors.activities_with_details(), pk=pk)
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.activity_approve(
                activity=activity,
                user=request.user,
                checklist=form.cleaned_data["checklist"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Activity approved."))
            return redirect("registry:activity_detail", pk=pk)
    # 200, not 400: the page is the entry itself, shown again with the review's errors beside the checklist.
    return render(request, "registry/activity_detail.html", _detail_context(request, activity, form))


@staff_permission_required(*VIEW, services.activities.APPROVE_PERMISSION)
@require_POST
def activity_request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, pk=pk)
    try:
        services.activity_request_changes(activity=activity, user=request.user, comment=request.POST.get("body", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sent back to the owner with your comment."))
    return redirect("registry:activity_detail", pk=pk)


@staff_permission_required(*VIEW, "registry.add_activitycomment")
@require_POST
def activity_comment(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(ProcessingActivity, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.activity_comment_add(activity=activity, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write the comment."))
    return redirect("registry:activity_detail", pk=pk)


@staff_permission_required(*VIEW)
@require_GET
def activity_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the entry with what changed, and who approved which version."""
    activity = get_object_or_404(ProcessingActivity, pk=pk)
    approvals = {approval.history_id: approval for approval in activity.approvals.all()}
    versions = [(version, approvals.get(version.history_id)) for version in selectors.activity_versions(activity)]
    return render(request, "registry/activity_history.html", {"activity": activity, "versions": versions})
