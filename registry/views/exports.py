from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.audit import audit_event_record
from core.decorators import staff_permission_required

from .. import exports
from .common import AREA


@staff_permission_required(AREA, "registry.view_processingactivity")
@require_GET
def register_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole register as a file (CSV, XLSX, JSON) or a printable page (HTML)."""
    if fmt not in exports.FORMATS:
        raise Http404
    try:
        content = exports.register_export(fmt)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:index")
    audit_event_record(action="registry.exported", data={"format": fmt})
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(fmt)}"'
    return response
