"""The access-review page (SEC-01): the report of users and their roles, its CSV, and the reviewers' sign-offs."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.decorators import staff_permission_required

from .access_review import (
    AREAS,
    CAPABILITIES,
    COMMENT_MAX_LENGTH,
    access_report,
    access_report_exported,
    access_report_write_csv,
    access_review_sign,
    access_review_status,
    access_reviews,
    review_interval_days,
)

HISTORY_LIMIT = 50


class AccessReviewSignForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What you checked, and what you asked to change (accounts to close, roles to remove)."),
    )
    fingerprint = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": gettext_lazy("Open the report before signing it off.")},
    )


@never_cache
@staff_permission_required("access.view_accessreview")
def access_review_index(request: HttpRequest) -> HttpResponse:
    report = access_report()
    fingerprint = report.fingerprint()
    status = access_review_status(now=report.generated_at)
    context = {
        "report": report,
        "fingerprint": fingerprint,
        "status": status,
        "changed_since_last": status.last is not None and status.last.fingerprint != fingerprint,
        "reviews": access_reviews()[:HISTORY_LIMIT],
        "areas": AREAS,
        "capabilities": CAPABILITIES,
        "form": AccessReviewSignForm(initial={"fingerprint": fingerprint}),
    }
    return render(request, "access/accessreview_list.html", context)


@never_cache
@staff_permission_required("access.view_accessreview")
def access_review_export(request: HttpRequest) -> HttpResponse:
    report = access_report()
    buffer = io.StringIO()
    access_report_exported(report=report)
    access_report_write_csv(report, buffer)
    # The byte-order mark makes spreadsheets read the file as UTF-8 (accented names).
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"access-review-{timezone.localtime(report.generated_at):%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@staff_permission_required("access.add_accessreview")
def access_review_sign_off(request: HttpRequest) -> HttpResponse:
    form = AccessReviewSignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("access_review:index")
    try:
        access_review_sign(
            reviewer=request.user,
            comment=form.cleaned_data["comment"],
            fingerprint=form.cleaned_data["fingerprint"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.warning(request, message)
    else:
        days = review_interval_days()
        messages.success(
            request, _("You signed off the access review. The next one is due in %(days)d days.") % {"days": days}
        )
    return redirect("access_review:index")
