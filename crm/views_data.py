"""Import and export pages (views call the services in crm.imports.services and crm.exports)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_permission_required
from core.spreadsheet import spreadsheet_safe

from . import exports
from .forms import add_service_errors
from .imports import services
from .imports.forms import ImportMappingForm, ImportUploadForm
from .imports.readers import csv_text
from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)
IMPORT_PERMS = ("access.access_contacts", "crm.import_contact")
REPORT_ROWS_SHOWN = 200


def import_jobs_for(user: Any) -> QuerySet[ImportJob]:
    """A user's own imports; a superuser (or a role granted crm.view_importjob) sees everyone's."""
    jobs = ImportJob.objects.select_related("created_by")
    if user.is_superuser or user.has_perm("crm.view_importjob"):
        return jobs
    return jobs.filter(created_by_id=user.pk)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(import_jobs_for(request.user), pk=pk)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@staff_permission_required(*IMPORT_PERMS)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/import_list.html", {"jobs": import_jobs_for(request.user)[:100]})


@staff_permission_required(*IMPORT_PERMS)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                upload=form.cleaned_data["file"],
                supplier=form.cleaned_data["supplier"],
                on_duplicate=form.cleaned_data["on_duplicate"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("crm:import_map", pk=job.pk)
    return render(request, "crm/import_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_permission_required(*IMPORT_PERMS)
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status not in services.MAPPABLE or job.last_committed_line:
        return redirect("crm:import_detail", pk=job.pk)
    form = ImportMappingForm(request.POST or None, job=job, samples=services.import_job_samples(job=job))
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_map(job=job, mapping=form.mapping())
            job = services.import_job_start(job=job, dry_run=True)
        except ValidationError as error:
            form.add_mapping_errors(error)
        else:
            return redirect("crm:import_dry_run", pk=job.pk)
    return render(request, "crm/import_map.html", {"job": job, "form": form}, status=400 if form.errors else 200)


@staff_permission_required(*IMPORT_PERMS)
@require_http_methods(["GET", "POST"])
def import_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the dry run's counts and rejected rows; POST: run the dry run (again)."""
    job = _job(request, pk)
    if request.method == "POST":
        try:
            job = services.import_job_start(job=job, dry_run=True)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect("crm:import_dry_run", pk=job.pk)
    context = {"job": job, "entries": job.report[:REPORT_ROWS_SHOWN], "shown": REPORT_ROWS_SHOWN}
    return render(request, "crm/import_dry_run.html", context)


@staff_permission_required(*IMPORT_PERMS)
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        job = services.import_job_start(job=job, dry_run=False)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, _("Import done: %(created)s contacts created.") % {"created": job.created_count})
        elif job.status == ImportStatus.FAILED:
            messages.error(request, job.error or _("The import failed."))
    return redirect("crm:import_detail", pk=job.pk)


@staff_permission_required(*IMPORT_PERMS)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {"job": job, "entries": job.report[:REPORT_ROWS_SHOWN], "shown": REPORT_ROWS_SHOWN}
    return render(request, "crm/import_detail.html", context)


@staff_permission_required(*IMPORT_PERMS)
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar partial, polled every second by htmx while the job is busy."""
    job = _job(request, pk)
    response = render(request, "crm/import_progress.html", {"job": job})
    if not job.is_busy and request.GET.get("was") in ("validating", "running"):
        response["HX-Refresh"] = "true"  # the job just finished: reload the page to show its results
    return response


@staff_permission_required(*IMPORT_PERMS)
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as CSV: line, outcome, reasons (no value from the file; column names are escaped like exports)."""
    job = _job(request, pk)
    rows = [[_("line"), _("outcome"), _("reasons")]]
    rows += [[str(entry["line"]), entry["outcome"], " | ".join(entry["reasons"])] for entry in job.report]
    safe = [[spreadsheet_safe(cell) for cell in row] for row in rows]
    response = HttpResponse("\ufeff" + csv_text(safe), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


@staff_permission_required(*IMPORT_PERMS)
@require_POST
def import_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_job_delete(job=job)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("crm:import_detail", pk=job.pk)
    messages.success(request, _("Import deleted, with its file."))
    return redirect("crm:import_list")


def _say_restricted_left_out(request: HttpRequest, count: int) -> None:
    """Shown on the next page: the file itself cannot say it."""
    if count:
        message = ngettext(
            "%(count)d restricted contact (Art. 18) was left out of the export.",
            "%(count)d restricted contacts (Art. 18) were left out of the export.",
            count,
        )
        messages.warning(request, message % {"count": count})


@staff_permission_required("access.access_contacts", "crm.view_contact", "crm.export_contact")
@require_http_methods(["GET", "POST"])
def contact_export(request: HttpRequest) -> HttpResponse:
    """GET: the export form, carrying the list's filters; POST: the file, once purpose, reason and recipient are given.

    A POST (with its CSRF token), because an export writes evidence: a GET could be
    forged from another site into a disclosure the user never made.
    """
    data = request.POST if request.method == "POST" else request.GET
    filters = exports.export_filters(data)
    try:
        shown, filters_error = exports.filters_shown(filters), ""
    except ValidationError as error:
        shown, filters_error = [], _("The list's filters are not valid: %(errors)s") % {"errors": _error_text(error)}
    if request.method == "POST":
        form = exports.ContactExportForm(request.POST)
        if form.is_valid() and not filters_error:
            try:
                response = exports.contacts_export_response(
                    user=request.user, filters=filters, fmt=form.cleaned_data["format"], terms=form.terms
                )
                _say_restricted_left_out(request, int(response[exports.LEFT_OUT_HEADER]))
                return response
            except ValidationError as error:
                form.add_error(None, _error_text(error))
    else:
        fmt = request.GET.get("format")
        form = exports.ContactExportForm(initial={"format": fmt} if fmt in exports.FORMATS else None)
    context = {
        "form": form,
        "filters": filters,
        "filters_shown": shown,
        "filters_error": filters_error,
        "list_query": urlencode(filters),
    }
    status = 400 if form.errors or filters_error else 200
    return render(request, "crm/export_form.html", context, status=status)
