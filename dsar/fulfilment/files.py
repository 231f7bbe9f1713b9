"""Access reports and portability exports: made, stored encrypted, delivered through a signed link, deleted.

A file is stored encrypted (`ResponseFile.content`; a zip base64-encoded first). The
requester receives, through the outbox, a signed link that expires after
DSAR_REPORT_DAYS; opening it asks for the e-mail address the request came from
(DSR-15: the link alone is not enough), and a download is logged in the case
file and the audit trail. Files are deleted DSAR_REPORT_DAYS after they were
made (`response_files_expire`, daily beat task and `dsar_expire_reports`).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_event_record
from core.crypto import blind_index
from crm.normalise import normalise_email
from dsar.models import Request, Right
from dsar.models.fulfilment import ResponseFile, ResponseKind

from .access import access_report_build, access_report_html, access_report_json
from .common import check_open, event_record, fulfilled, matched_contacts, requester_message
from .portability import portability_data, portability_zip

SALT = "dsar.response-file"
LINK_TEMPLATE = "dsar_report_ready"
MAX_WRONG_ADDRESSES = 5  # per file and hour: the link cannot be used to guess the address


def _days() -> int:
    return int(settings.DSAR_REPORT_DAYS)


def _store(*, request: Request, kind: str, filename: str, content_type: str, data: bytes) -> ResponseFile:
    return ResponseFile.objects.create(
        request=request,
        kind=kind,
        filename=filename,
        content_type=content_type,
        content=_text(data, content_type),
        size=len(data),
        expires_at=timezone.now() + timedelta(days=_days()),
    )


BINARY = "b64:"


def _text(data: bytes, content_type: str) -> str:
    """Text files are stored as text (a scan of the decrypted column reads them); others base64-encoded."""
    if content_type.startswith(("text/", "application/json")):
        return data.decode("utf-8")
    return BINARY + base64.b64encode(data).decode()


def file_bytes(file: ResponseFile) -> bytes:
    if file.content.startswith(BINARY):
        return base64.b64decode(file.content[len(BINARY) :])
    return file.content.encode("utf-8")


def download_token(file: ResponseFile) -> str:
    return signing.dumps({"file": file.pk}, salt=SALT, compress=True)


def download_url(file: ResponseFile) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("dsar_report_download", args=[download_token(file)])


def _send_links(request: Request, files: list[ResponseFile], action: str) -> None:
    links = [(file.get_kind_display(), download_url(file)) for file in files]
    message = requester_message(
        request=request, template=LINK_TEMPLATE, context={"links": links, "days": _days(), "right": action}
    )
    event_record(request=request, kind="communicated", action=f"{action}_link_sent", message=message)


@transaction.atomic
def access_report_create(*, request: Request) -> list[ResponseFile]:
    """Art. 15: build the report of the matched contacts (HTML and JSON), store it and send the link."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    check_open(request, Right.ACCESS)
    contacts = matched_contacts(request)
    report = access_report_build(contacts=contacts, reference=request.reference, language=request.language)
    stem = f"access-report-{request.reference}"
    files = [
        _store(
            request=request,
            kind=ResponseKind.ACCESS_HTML,
            filename=f"{stem}.html",
            content_type="text/html; charset=utf-8",
            data=access_report_html(report),
        ),
        _store(
            request=request,
            kind=ResponseKind.ACCESS_JSON,
            filename=f"{stem}.json",
            content_type="application/json",
            data=access_report_json(report),
        ),
    ]
    fulfilled(request=request, action="access_report", contacts=len(contacts))
    audit_event_record(action="dsar.access_report_created", obj=request, data={"contacts": len(contacts)})
    _send_links(request, files, "access")
    return files


@transaction.atomic
def portability_export_create(*, request: Request) -> ResponseFile:
    """Art. 20: the data the person provided, JSON and CSV in a zip with its schema; the link goes out."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    check_open(request, Right.PORTABILITY)
    contacts = matched_contacts(request)
    data = portability_data(contacts=contacts, reference=request.reference)
    file = _store(
        request=request,
        kind=ResponseKind.PORTABILITY,
        filename=f"my-data-{request.reference}.zip",
        content_type="application/zip",
        data=portability_zip(data),
    )
    fulfilled(request=request, action="portability_export", contacts=len(contacts))
    audit_event_record(action="dsar.portability_created", obj=request, data={"contacts": len(contacts)})
    _send_links(request, [file], "portability")
    return file


def download_file(*, token: str, now: datetime | None = None) -> ResponseFile | None:
    """The file a link points at, or None when the link is forged, expired or its file deleted."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=timedelta(days=_days()))
    except signing.BadSignature:
        return None
    file = ResponseFile.objects.select_related("request").filter(pk=payload.get("file")).first()
    if file is None or file.expires_at <= (now or timezone.now()):
        return None
    return file


def _attempts_key(file: ResponseFile) -> str:
    return f"dsar:download-attempts:{file.pk}"


def download_authorise(*, file: ResponseFile, email: str) -> None:
    """Re-check the address the request came from; a few wrong addresses lock the link for an hour."""
    key = _attempts_key(file)
    if (cache.get(key) or 0) >= MAX_WRONG_ADDRESSES:
        raise ValidationError({"email": [_("Too many attempts. Try again in an hour.")]})
    try:
        index = blind_index(normalise_email(email))
    except ValidationError:
        index = ""
    if not index or index != file.request.requester_email_index:
        cache.add(key, 0, timeout=3600)
        cache.incr(key)
        raise ValidationError({"email": [_("This is not the address the request was made from.")]})


@transaction.atomic
def download_record(*, file: ResponseFile) -> bytes:
    """Log the download (case file and audit trail) and return the file's bytes."""
    file = ResponseFile.objects.select_for_update().select_related("request").get(pk=file.pk)
    file.downloads += 1
    file.last_downloaded_at = timezone.now()
    file.save(update_fields=["downloads", "last_downloaded_at"])
    event_record(request=file.request, action="file_downloaded", file=file.pk, kind_of_file=file.kind)
    audit_event_record(action="dsar.file_downloaded", obj=file, data={"request": file.request_id, "kind": file.kind})
    return file_bytes(file)


def response_files_expire(*, now: datetime | None = None, batch_size: int = 500) -> tuple[int, bool]:
    """Delete the files made more than DSAR_REPORT_DAYS ago; returns (deleted, has_more)."""
    expired = ResponseFile.objects.filter(expires_at__lte=now or timezone.now()).order_by("pk")
    pks = list(expired.values_list("pk", flat=True)[: batch_size + 1])
    with transaction.atomic():
        deleted = 0
        for file in ResponseFile.objects.filter(pk__in=pks[:batch_size]):
            event_record(request=file.request, action="file_deleted", file=file.pk)
            file.delete()
            deleted += 1
        if deleted:
            audit_event_record(action="dsar.files_expired", data={"deleted": deleted})
    return deleted, len(pks) > batch_size
