"""The evidence pack pages (SEC-11): ask for a pack, watch its progress, download it."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .audit import audit_event_record
from .decorators import staff_permission_required
from .evidence import evidence_pack_request, sections
from .models import EvidencePack, EvidencePackStatus

# The DPO and the auditor hand the pack to the authority.
EVIDENCE_PERMISSIONS = ("access.access_dashboard", "core.view_auditevent")


@staff_permission_required(*EVIDENCE_PERMISSIONS)
def evidence_list(request: HttpRequest) -> HttpResponse:
    packs = EvidencePack.objects.all()[:20]
    return render(request, "core/evidence_list.html", {"packs": packs, "sections": sections()})


@require_POST
@staff_permission_required(*EVIDENCE_PERMISSIONS)
def evidence_create(request: HttpRequest) -> HttpResponse:
    pack = evidence_pack_request(user=request.user)
    return redirect("evidence:detail", pk=pack.pk)


@staff_permission_required(*EVIDENCE_PERMISSIONS)
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(EvidencePack, pk=pk)
    return render(request, "core/evidence_detail.html", {"pack": pack})


@staff_permission_required(*EVIDENCE_PERMISSIONS)
def evidence_progress(request: HttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(EvidencePack, pk=pk)
    return render(request, "core/partials/evidence_progress.html", {"pack": pack})


@staff_permission_required(*EVIDENCE_PERMISSIONS)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    pack = get_object_or_404(EvidencePack, pk=pk)
    if pack.status != EvidencePackStatus.DONE or not pack.file:
        raise Http404
    audit_event_record(action="evidence.downloaded", obj=pack)
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=f"evidence-pack-{pack.pk}.zip")
