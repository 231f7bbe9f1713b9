"""The evidence pack (SEC-11): asked for in the UI, built by the job, downloaded; every file in it opens."""

from __future__ import annotations

import csv
import io
import zipfile
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.evidence import evidence_pack_build
from core.models import AuditEvent, EvidencePack

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _rendered(data: bytes) -> _Page:
    page = _Page()
    page.feed(data.decode("utf-8"))
    page.close()
    return page


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", contacts=20, stdout=io.StringIO())


def test_the_pack_downloads_unzips_and_every_file_opens(client, dpo_user, demo, django_capture_on_commit_callbacks):
    dpo_user.refresh_from_db()  # seed_demo reset the "dpo" account's password: a stale session hash logs out
    client.force_login(dpo_user)

    # when the DPO asks for a pack (the job is run here as the worker would)
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("evidence:create"))
    assert response.status_code == 302, (response.status_code, response.content[:300])
    pack = EvidencePack.objects.get()
    assert response["Location"] == reverse("evidence:detail", args=[pack.pk])
    assert client.get(reverse("evidence:progress", args=[pack.pk])).context["pack"].status == "queued"
    evidence_pack_build(pack_id=pack.pk)
    progress = client.get(reverse("evidence:progress", args=[pack.pk])).content.decode()
    assert 'data-status="done"' in progress and 'value="100"' in progress

    # then the zip downloads and holds every section
    download = client.get(reverse("evidence:download", args=[pack.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = {name.removeprefix("evidence-pack/") for name in archive.namelist()}
    assert {
        "index.html",
        "register/register.csv",
        "register/register.html",
        "breaches/breach-register.csv",
        "consent/consent-proof-samples.csv",
        "retention/policies.csv",
        "retention/purge-runs.csv",
        "security/security-measures.html",
        "access-review/users-and-roles.csv",
        "requests/request-register.csv",
        "requests/request-register.html",
    } <= names

    # and every CSV parses with a header and rows, every HTML page renders with a body
    for name in archive.namelist():
        data = archive.read(name)
        if name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert len([row for row in rows if row]) >= 2, name
        elif name.endswith(".html"):
            page = _rendered(data)
            assert {"html", "body", "table"} <= set(page.tags) or "body" in page.tags, name
            assert "".join(page.text).strip(), name
    # the index lists every other file
    index = archive.read("evidence-pack/index.html").decode()
    assert all(name.removeprefix("evidence-pack/") in index for name in archive.namelist() if "index" not in name)
    assert AuditEvent.objects.filter(action="evidence.downloaded", object_id=str(pack.pk)).exists()


def test_the_pack_names_no_person(dpo_user, demo, settings):
    from crm.models import ContactPoint

    pack = evidence_pack_build(pack_id=_request(dpo_user).pk)
    blob = b"".join(
        zipfile.ZipFile(pack.file.open("rb")).read(name) for name in zipfile.ZipFile(pack.file.open("rb")).namelist()
    )
    from dsar.models import Request

    addresses = [point.value for point in ContactPoint.objects.all()[:50]]
    assert addresses
    # the request register holds references and timelines, never who asked
    requesters = [value for case in Request.objects.all() for value in (case.requester_name, case.requester_email)]
    assert requesters and Request.objects.exists()
    addresses += [value for value in requesters if value]
    register = zipfile.ZipFile(pack.file.open("rb")).read("evidence-pack/requests/request-register.csv").decode()
    for case in Request.objects.all():
        line = next(row for row in register.splitlines() if row.startswith(case.reference + ","))
        assert "received" in line
    for address in addresses:
        assert address.encode() not in blob


def _request(user):
    from core.evidence import evidence_pack_request

    return evidence_pack_request(user=user, enqueue=False)


def test_the_command_builds_a_pack(demo, tmp_path):
    out = io.StringIO()
    call_command("evidence_pack", output=str(tmp_path / "pack.zip"), stdout=out)
    assert "evidence pack" in out.getvalue()
    assert zipfile.is_zipfile(tmp_path / "pack.zip")


def test_packs_older_than_the_keeping_period_are_deleted_with_their_file(dpo_user, settings, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from core.evidence import evidence_packs_expire

    settings.MEDIA_ROOT, settings.EVIDENCE_PACK_KEEP_DAYS = tmp_path, 7
    old, recent = (evidence_pack_build(pack_id=_request(dpo_user).pk) for _ in range(2))
    EvidencePack.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    old_file = tmp_path / old.file.name

    assert evidence_packs_expire() == 1
    assert list(EvidencePack.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old_file.exists() and (tmp_path / recent.file.name).exists()
