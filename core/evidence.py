"""The evidence pack for the supervisory authority (SEC-11): one zip, built by a job, section by section.

Apps add their sections from AppConfig.ready() with `register(name, writer, order=)`,
where `writer(pack)` returns the files of the section as {path in the zip: bytes}
(CSV, printable HTML, plain text). core imports no app to its right: the registry adds
the register and the breach register, consent the proof samples, retention the
policies and purge runs, the requests app its register with timelines, access the users x roles access review.
core adds the index page.

The zip names no person: registers, ids, counts and dates (consent proofs are
samples by contact id). A pack is kept EVIDENCE_PACK_KEEP_DAYS days, then deleted.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .actors import current_actor
from .audit import audit_event_record
from .models import EvidencePack, EvidencePackStatus

logger = logging.getLogger(__name__)

Writer = Callable[[EvidencePack], dict[str, bytes]]


@dataclass(frozen=True)
class Section:
    name: str
    writer: Writer
    order: int


_sections: dict[str, Section] = {}


def register(name: str, writer: Writer, *, order: int = 100) -> None:
    _sections[name] = Section(name, writer, order)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


def evidence_pack_request(*, user: Any, enqueue: bool = True) -> EvidencePack:
    """Record a new pack; the job builds it after the transaction commits (`enqueue=False`: the caller builds it)."""
    from .tasks import build_evidence_pack

    actor = current_actor()
    with transaction.atomic():
        pack = EvidencePack.objects.create(
            requested_by=user if getattr(user, "pk", None) else None,
            requested_by_label=actor.label[:150],
            sections_total=len(sections()) + 1,
        )
        audit_event_record(action="evidence.requested", obj=pack)
        if enqueue:
            transaction.on_commit(lambda: build_evidence_pack.delay(pack.pk))
    return pack


def evidence_pack_build(*, pack_id: int) -> EvidencePack | None:
    """Build the zip of pack `pack_id`; a rerun (a worker lost mid-way) starts the pack again from the top."""
    pack = EvidencePack.objects.filter(pk=pack_id).first()
    if pack is None or pack.status == EvidencePackStatus.DONE:
        return pack
    all_sections = sections()
    _progress(pack, status=EvidencePackStatus.RUNNING, started_at=timezone.now(), sections_total=len(all_sections) + 1)
    files: dict[str, bytes] = {}
    try:
        for done, section in enumerate(all_sections):
            _progress(pack, sections_done=done, current_section=section.name)
            files.update(section.writer(pack))
        files["index.html"] = _index_html(pack, files)
        content = _zip(files)
    except Exception as exc:
        logger.exception("evidence pack %s failed", pack_id)
        _progress(pack, status=EvidencePackStatus.FAILED, error=str(exc)[:255], finished_at=timezone.now())
        return pack
    return _finish(pack, files, content)


def _finish(pack: EvidencePack, files: dict[str, bytes], content: bytes) -> EvidencePack:
    manifest = [
        {"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for path, data in files.items()
    ]
    with transaction.atomic():
        pack.file.save(f"evidence-pack-{pack.pk}.zip", ContentFile(content), save=False)
        pack.status, pack.size, pack.manifest = EvidencePackStatus.DONE, len(content), manifest
        pack.sections_done, pack.current_section, pack.finished_at = pack.sections_total, "", timezone.now()
        pack.save()
        audit_event_record(action="evidence.built", obj=pack, data={"files": len(files), "bytes": len(content)})
    return pack


def _progress(pack: EvidencePack, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(pack, name, value)
    EvidencePack.objects.filter(pk=pack.pk).update(**changes)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"evidence-pack/{path}", data)
    return buffer.getvalue()


def _index_html(pack: EvidencePack, files: dict[str, bytes]) -> bytes:
    rows = "".join(
        f'<tr><td><a href="{html.escape(path)}">{html.escape(path)}</a></td><td>{len(data):,}</td>'
        f"<td><code>{hashlib.sha256(data).hexdigest()}</code></td></tr>"
        for path, data in sorted(files.items())
    )
    title = f"{html.escape(settings.CONTROLLER_NAME)}: evidence pack"
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    return html_page(
        title,
        f"<p>Produced {made} at the request of {html.escape(pack.requested_by_label)}.</p>"
        f"<table><thead><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr></thead><tbody>{rows}</tbody></table>",
    )


def html_page(title: str, body: str) -> bytes:
    """A printable, self-contained HTML page (no script, no external file)."""
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def evidence_packs_expire(*, now: Any = None) -> int:
    """Delete packs (file and row) older than EVIDENCE_PACK_KEEP_DAYS; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EVIDENCE_PACK_KEEP_DAYS)
    expired = list(EvidencePack.objects.filter(created_at__lt=cutoff))
    for pack in expired:
        if pack.file:
            pack.file.delete(save=False)
        pack.delete()
    return len(expired)
