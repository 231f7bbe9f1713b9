"""The audit explorer page and its CSV export (core.audit_explorer)."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .audit_explorer import DEFAULT_LIMIT, HEADER, MAX_LIMIT, Query, audit_search, parse_object, source_names
from .decorators import staff_permission_required

AUDIT_PERMISSIONS = ("access.access_audit", "core.view_auditevent")


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    object = forms.CharField(
        label=_("Object"),
        required=False,
        max_length=120,
        help_text=_("crm.Contact:42, registry.Breach:3, or a contact id"),
    )
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64, help_text=_("created, changed, deleted, viewed or an event")
    )
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {"event": _("Domain events"), "history": _("Change history"), "access": _("Record views")}
        self.fields["source"].choices = [("", _("All"))] + [(name, labels.get(name, name)) for name in source_names()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        try:
            data["object_type"], data["object_id"] = parse_object(data.get("object") or "")
        except ValidationError as error:
            self.add_error("object", error.message_dict["object"])
        return data

    def query(self) -> Query:
        data = self.cleaned_data
        return Query(
            user=data.get("user", "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            action=data.get("action", "").strip(),
            source=data.get("source", ""),
        )


@staff_permission_required(*AUDIT_PERMISSIONS)
def audit_explorer(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    rows = audit_search(form.query(), limit=DEFAULT_LIMIT) if form.is_bound and form.is_valid() else []
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "rows": rows, "limit": DEFAULT_LIMIT, "query_string": request.GET.urlencode()}
    return render(request, "core/audit_explorer.html", context, status=status)


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_permission_required(*AUDIT_PERMISSIONS)
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or {})
    if not form.is_valid():
        return render(request, "core/audit_explorer.html", {"form": form, "rows": []}, status=400)
    writer = csv.writer(_Echo())
    rows = audit_search(form.query(), limit=MAX_LIMIT)
    lines = (writer.writerow(line) for line in [HEADER, *(row.as_list() for row in rows)])
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
