"""Contact import: a 10,000-row file with 5% bad rows, dry run, duplicates (skip, merge), XLSX, task, resume."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.actors import Actor, acting_as
from core.models import AuditEvent
from crm.imports import samples, services
from crm.imports.pipeline import ImportPipeline
from crm.imports.writer import ChunkWriter
from crm.models import Contact, ContactPoint, DuplicateCandidate, ExternalId, ImportJob, ImportStatus, Tag
from crm.normalise import normalise_email
from crm.tasks import import_run
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

REASON_FOR_PROBLEM = {
    "bad_email": "E-mail: not a valid email address",
    "bad_phone": "Téléphone: not a valid phone number",
    "missing_last_name": "Nom: required",
    "bad_date": "Date de naissance: not a date",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def _job(path: Path, *, user=None, supplier: str = "Expo Data", on_duplicate: str = "skip") -> ImportJob:
    job = services.import_job_create(upload=_upload(path), supplier=supplier, on_duplicate=on_duplicate, user=user)
    return services.import_job_map(job=job, mapping=job.mapping)


def _csv(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "contacts.csv") -> Path:
    lines = [";".join(header), *(";".join(row) for row in rows)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def big_file(tmp_path: Path) -> tuple[Path, list[samples.SampleRow]]:
    rows = samples.sample_rows(10_000, seed=1, invalid_ratio=0.05)
    return samples.write_csv(tmp_path / "salon-lyon.csv", rows), rows


def _expected_points(rows: list[samples.SampleRow]) -> int:
    return sum(1 + bool(row.values[3]) for row in rows if not row.problem)


def _problems(report: list[dict], rows: list[samples.SampleRow]) -> dict[int, dict]:
    """The report's entries by line, without the warnings of rows imported as likely duplicates.

    The sample rows draw names and addresses from short lists, so a row of a later chunk may look like a
    contact an earlier chunk created: it is imported (and counted as created) with a warning.
    """
    valid = {row.line for row in rows if not row.problem}
    warned = {entry["line"] for entry in report if entry["outcome"] == "likely_duplicate"}
    assert warned <= valid
    return {entry["line"]: entry for entry in report if entry["outcome"] != "likely_duplicate"}


# --------------------------------------------------------------------------- the 10,000-row file


def test_a_10000_row_file_commits_exactly_the_valid_rows_and_reports_each_bad_one(big_file, sales_user):
    # given a file with 5% bad rows of five kinds
    path, rows = big_file
    problems = Counter(row.problem for row in rows if row.problem)
    assert len(rows) == 10_000 and 450 <= sum(problems.values()) <= 550
    assert set(problems) == set(samples.PROBLEMS)
    job = _job(path, user=sales_user)

    # when it is run as the Sales user
    with acting_as(Actor.for_user(sales_user)):
        job = services.import_job_run(job=job)

    # then every valid row is a contact, with its points, and nothing else was written
    valid = [row for row in rows if not row.problem]
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.merged_count) == (len(valid), 0)
    assert job.skipped_count == problems["duplicate"]
    assert job.rejected_count == sum(problems.values()) - problems["duplicate"]
    assert Contact.objects.count() == len(valid)
    assert ContactPoint.objects.count() == _expected_points(rows)
    assert ExternalId.objects.count() == sum(1 for row in valid if row.values[13])
    assert set(Tag.objects.values_list("name", flat=True)) <= set(samples.TAGS)

    # and each bad row is reported once, by line, with the column and the rule
    report = _problems(job.report, rows)
    assert set(report) == {row.line for row in rows if row.problem}
    for row in rows:
        if row.problem == "duplicate":
            assert report[row.line]["outcome"] == "skipped"
            assert report[row.line]["reasons"] == [f"duplicate of line {row.duplicate_of} (same email address)"]
        elif row.problem:
            assert report[row.line]["outcome"] == "rejected"
            assert any(reason.startswith(REASON_FOR_PROBLEM[row.problem]) for reason in report[row.line]["reasons"])


def test_imported_contacts_carry_provenance_encryption_and_attributed_history(
    big_file, sales_user, media_root, django_capture_on_commit_callbacks
):
    path, rows = big_file
    job = _job(path, user=sales_user)
    with acting_as(Actor.for_user(sales_user)), django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_run(job=job)

    # a sample row reads back decrypted, and is stored encrypted under its blind index
    sample = next(row for row in rows[500:] if not row.problem and row.values[3])
    contact = Contact.objects.with_email(sample.values[2]).prefetch_related("points", "external_ids").get()
    assert (contact.first_name, contact.last_name) == (sample.values[0], sample.values[1])
    assert contact.primary_email == normalise_email(sample.values[2])
    assert contact.phones and contact.phones[0].startswith("+33")
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM crm_contactpoint WHERE contact_id = %s", [contact.pk])
        stored = [value for (value,) in cursor.fetchall()]
    assert all(value.startswith("fernet:") for value in stored)
    assert sample.values[2] not in " ".join(stored)
    assert contact.source == "import"
    assert contact.source_detail == "salon-lyon.csv (Expo Data)"
    assert contact.collected_at is not None
    assert contact.owner == sales_user
    if sample.values[13]:
        assert [(e.system, e.value) for e in contact.external_ids.all()] == [("Expo Data", sample.values[13])]

    # one "+" history row per contact and per point, attributed to the user, holding the same ciphertext
    created = job.created_count
    history = Contact.history.filter(history_type="+")
    assert history.count() == created
    assert set(history.values_list("history_actor_kind", "history_actor_label", "history_user_id")) == {
        ("user", sales_user.username, sales_user.pk)
    }
    assert ContactPoint.history.filter(history_type="+").count() == ContactPoint.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.value = h.value FROM crm_contactpoint p JOIN crm_historicalcontactpoint h ON h.id = p.id "
            "WHERE p.contact_id = %s",
            [contact.pk],
        )
        assert all(same for (same,) in cursor.fetchall())

    # the file is gone, the report holds no value from it, an audit event records the run
    assert not job.file
    assert not list((media_root / "imports").glob("*"))
    dumped = json.dumps(job.report, ensure_ascii=False)
    for row in rows:
        if row.problem:
            assert all(value not in dumped for value in row.values if len(value) > 3 and not value.isdigit())
    event = AuditEvent.objects.get(action="contacts.imported", object_id=str(job.pk))
    assert event.data["created"] == created


def test_a_dry_run_commits_nothing_and_predicts_the_run(big_file, sales_user):
    path, rows = big_file
    job = _job(path, user=sales_user)

    job = services.import_job_dry_run(job=job)

    assert Contact.objects.count() == ContactPoint.objects.count() == Tag.objects.count() == 0
    assert job.status == ImportStatus.VALIDATED
    valid = sum(1 for row in rows if not row.problem)
    assert job.dry_run["total"] == 10_000
    assert job.dry_run["created"] == valid
    assert job.dry_run["skipped"] + job.dry_run["rejected"] == 10_000 - valid
    assert {entry["line"] for entry in job.report} == {row.line for row in rows if row.problem}
    assert job.file  # kept for the run

    job = services.import_job_run(job=job)
    assert job.created_count == job.dry_run["created"]


# --------------------------------------------------------------------------- duplicates against the database


HEADER = ["Prénom", "Nom", "E-mail", "Téléphone", "Fonction", "Ville", "Tags", "ID externe"]


@pytest.fixture
def existing() -> Contact:
    return ContactFactory(first_name="Anne", last_name="Durand", emails=["anne.durand@example.org"], city="Lyon")


def _duplicate_file(tmp_path: Path) -> Path:
    row = ["Anne", "Durand", "ANNE.DURAND@example.org ", "01 99 00 12 34", "Acheteuse", "Paris", "VIP", "ERP-7"]
    return _csv(tmp_path, HEADER, [row, ["Paul", "Martin", "paul.martin@example.org", "", "", "", "", ""]])


def test_skip_leaves_the_existing_contact_alone_and_reports_the_row(tmp_path, existing):
    job = services.import_job_run(job=_job(_duplicate_file(tmp_path)))

    existing.refresh_from_db()
    assert (job.created_count, job.merged_count, job.skipped_count) == (1, 0, 1)
    assert job.report == [
        {"line": 2, "outcome": "skipped", "reasons": ["already in the database (same email address)"]}
    ]
    assert existing.job_title == "" and existing.points.count() == 1 and not existing.tags.exists()


def test_merge_fills_empty_fields_and_adds_points_tags_and_external_id(tmp_path, existing):
    with acting_as(Actor.system("test")):
        job = services.import_job_run(job=_job(_duplicate_file(tmp_path), on_duplicate="merge"))

    existing = Contact.objects.prefetch_related("points").get(pk=existing.pk)
    assert (job.created_count, job.merged_count, job.skipped_count, job.rejected_count) == (1, 1, 0, 0)
    assert existing.job_title == "Acheteuse"  # was empty: filled
    assert existing.city == "Lyon"  # had a value: kept
    assert existing.emails == ["anne.durand@example.org"]
    assert existing.phones == ["+33199001234"]
    assert list(existing.tags.values_list("name", flat=True)) == ["VIP"]
    assert list(existing.external_ids.values_list("system", "value")) == [("Expo Data", "ERP-7")]
    assert existing.source == "manual"  # provenance of the first collection stays
    change = existing.history.filter(history_type="~").first()
    assert change.history_change_reason == f"merged by import #{job.pk}"
    assert change.history_actor_label == "test"


def test_merge_never_touches_a_contact_the_importer_may_not_change(tmp_path, existing, sales_user):
    # existing is owned by nobody: a Sales user cannot change it
    job = _job(_duplicate_file(tmp_path), user=sales_user, on_duplicate="merge")
    job = services.import_job_run(job=job)

    assert job.report[0]["reasons"] == ["already in the database, in a contact you may not change"]
    assert existing.points.count() == 1


def test_a_row_matching_two_contacts_is_rejected_when_merging(tmp_path, existing):
    other = ContactFactory(emails=["other@example.org"])
    ExternalId.objects.create(contact=other, system="Expo Data", value="ERP-7")
    job = services.import_job_run(job=_job(_duplicate_file(tmp_path), on_duplicate="merge"))

    assert job.report[0]["outcome"] == "rejected"
    assert "several different contacts" in job.report[0]["reasons"][0]


def test_a_shared_phone_number_does_not_make_a_row_a_duplicate(tmp_path, existing):
    # given: a colleague on the same switchboard number as the row's
    ContactFactory(first_name="Jean", last_name="Colin", phones=["+33 1 99 00 12 34"])
    row = ["Lise", "Durand", "lise@example.org", "01 99 00 12 34", "", "", "", ""]

    job = services.import_job_run(job=_job(_csv(tmp_path, HEADER, [row]), on_duplicate="merge"))

    assert (job.created_count, job.merged_count, job.rejected_count) == (1, 0, 0)
    assert Contact.objects.with_phone("+33199001234").count() == 2


def test_in_file_duplicates_merge_into_the_contact_of_their_first_line(tmp_path):
    rows = [
        ["Anne", "Durand", "anne@example.org", "", "", "", "", ""],
        ["Anne", "Durand", "Anne@Example.org", "01 99 00 12 34", "Acheteuse", "", "", ""],
    ]
    job = services.import_job_run(job=_job(_csv(tmp_path, HEADER, rows), on_duplicate="merge"))

    contact = Contact.objects.prefetch_related("points").get()
    assert (job.created_count, job.merged_count) == (1, 1)
    assert contact.phones == ["+33199001234"] and contact.job_title == "Acheteuse"


def test_external_id_identifies_a_duplicate(tmp_path):
    rows = [["Anne", "Durand", "", "", "", "", "", "ERP-1"], ["Anne", "Durand-Petit", "", "", "", "", "", "ERP-1"]]
    job = services.import_job_run(job=_job(_csv(tmp_path, HEADER, rows)))

    assert job.report == [{"line": 3, "outcome": "skipped", "reasons": ["duplicate of line 2 (same external id)"]}]


def test_rows_breaking_the_entry_rules_of_forms_and_api_are_rejected_one_by_one(tmp_path):
    rows = [
        ["Anne", "Durand", "anne@example.org", "", "", "", "", ""],
        ["Zo\u200be", "Martin", "zoe@example.org", "", "", "", "", ""],
        ["Luc", "Bernard", "luc@example.org", "", "", "Pa\u202eris", "", ""],
    ]
    job = services.import_job_run(job=_job(_csv(tmp_path, HEADER, rows)))

    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Anne"]
    report = {entry["line"]: entry for entry in job.report}
    assert set(report) == {3, 4} and {entry["outcome"] for entry in report.values()} == {"rejected"}
    assert "U+200B" in report[3]["reasons"][0] and "U+202E" in report[4]["reasons"][0]
    assert "Zo" not in json.dumps(job.report)  # the reason names the character, never the value


# --------------------------------------------------------------------------- formats


def test_xlsx_import(tmp_path):
    rows = samples.sample_rows(300, seed=4, invalid_ratio=0.05)
    path = samples.write_xlsx(tmp_path / "leads.xlsx", rows)
    job = _job(path)
    assert job.format == "xlsx"
    assert job.mapping["E-mail"] == "email" and job.mapping["Date de naissance"] == "birth_date"

    job = services.import_job_run(job=job)

    valid = [row for row in rows if not row.problem]
    assert Contact.objects.count() == job.created_count == len(valid)
    assert {entry["line"] for entry in job.report} == {row.line for row in rows if row.problem}


def test_cp1252_csv_with_commas_and_french_headers(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "Prénom,Nom,Courriel,Date de naissance\r\nHélène,Lefèvre,helene@example.org,31/03/1980\r\n".encode("cp1252")
    )
    job = services.import_job_run(job=_job(path))

    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, str(contact.birth_date)) == ("Hélène", "Lefèvre", "1980-03-31")
    assert job.created_count == 1


# --------------------------------------------------------------------------- task and resume


def test_the_task_runs_the_job_as_a_job_acting_for_its_user(big_file, sales_user):
    path, _rows = big_file
    job = services._set_status(_job(path, user=sales_user), ImportStatus.RUNNING)

    import_run(job.pk)
    import_run(job.pk)  # delivered twice: the second call finds the job done

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Contact.objects.count() == job.created_count
    actors = set(Contact.history.values_list("history_actor_kind", "history_actor_label", "history_user_id"))
    assert actors == {("job", f"import #{job.pk} ({sales_user.username})", sales_user.pk)}


def test_the_task_does_the_dry_run_and_ignores_a_missing_job(big_file):
    path, _rows = big_file
    job = services._set_status(_job(path), ImportStatus.VALIDATING)

    import_run(job.pk, dry_run=True)
    import_run(10**9)

    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and Contact.objects.count() == 0


def test_a_run_stopped_half_way_resumes_without_duplicating(tmp_path, monkeypatch):
    rows = samples.sample_rows(1_000, seed=7, invalid_ratio=0.05)
    job = _job(samples.write_csv(tmp_path / "c.csv", rows))
    monkeypatch.setattr("crm.imports.pipeline.CHUNK_SIZE", 300)
    real_contacts = ChunkWriter.contacts
    calls = []

    def crash_on_third_chunk(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_contacts(self, *args, **kwargs)

    monkeypatch.setattr(ChunkWriter, "contacts", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.last_committed_line == 601  # two chunks of 300 rows (lines 2 to 601)
    assert Contact.objects.count() == job.created_count > 0
    assert job.file

    job = services.import_job_run(job=job)

    valid = [row for row in rows if not row.problem]
    assert job.status == ImportStatus.DONE
    assert Contact.objects.count() == job.created_count == len(valid)
    assert ContactPoint.objects.count() == _expected_points(rows)
    assert set(_problems(job.report, rows)) == {row.line for row in rows if row.problem}
    duplicates = [entry for entry in job.report if entry["outcome"] == "skipped"]
    assert all("duplicate of line" in entry["reasons"][0] for entry in duplicates)


def test_pipeline_chunks_report_progress(big_file):
    path, _rows = big_file
    job = _job(path)
    seen = []

    ImportPipeline(
        job, commit=False, chunk_size=2_500, progress=lambda job, outcome: seen.append(outcome.counts.total)
    ).run()

    assert seen == [2_500, 5_000, 7_500, 10_000]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_chunks_commit_on_a_writer_thread(tmp_path, monkeypatch, sales_user):
    # given real commits (no test transaction), as in a worker or the command
    from crm.imports import pipeline

    threads = []
    real_commit = pipeline.ImportPipeline._commit

    def commit(self, *args, **kwargs):
        import threading

        threads.append(threading.current_thread().name)
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(pipeline.ImportPipeline, "_commit", commit)
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 300)
    rows = samples.sample_rows(900, seed=8, invalid_ratio=0.05)
    job = _job(samples.write_csv(tmp_path / "t.csv", rows), user=sales_user, on_duplicate="merge")

    with acting_as(Actor.for_user(sales_user)):
        job = services.import_job_run(job=job, progress=None)
    job.refresh_from_db()

    # then every chunk was committed by the writer thread, with the caller's actor, and nothing is lost
    valid = [row for row in rows if not row.problem]
    duplicates = [row for row in rows if row.problem == "duplicate"]
    assert threads and all(name.startswith("import-writer") for name in threads)
    assert job.status == ImportStatus.DONE
    assert job.created_count == len(valid) and job.merged_count == len(duplicates)
    assert Contact.objects.count() == len(valid)
    assert set(Contact.history.values_list("history_actor_label", flat=True)) == {sales_user.username}


@pytest.mark.django_db(transaction=True)
def test_skipping_on_a_writer_thread_reports_what_an_inline_run_reports(tmp_path, monkeypatch, sales_user):
    # given real commits (the next chunk's duplicates are looked up while the previous one commits),
    # small chunks so that duplicates cross chunk boundaries, and a row already in the database
    from crm.imports import pipeline

    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 150)
    rows = samples.sample_rows(900, seed=8, invalid_ratio=0.05)
    already = next(row for row in rows[600:] if not row.problem)
    ContactFactory(first_name="Anne", last_name="Durand", emails=[already.values[2]])
    job = _job(samples.write_csv(tmp_path / "t.csv", rows), user=sales_user)

    with acting_as(Actor.for_user(sales_user)):
        job = services.import_job_run(job=job, progress=None)
    job.refresh_from_db()

    # then each in-file duplicate is reported against its first line, the known row as already in the database
    duplicates = [row for row in rows if row.problem == "duplicate"]
    assert any(row.duplicate_of < row.line - 150 for row in duplicates)  # some in an earlier chunk
    expected = {row.line: f"duplicate of line {row.duplicate_of} (same email address)" for row in duplicates}
    expected[already.line] = "already in the database (same email address)"
    skipped = {entry["line"]: entry["reasons"][0] for entry in job.report if entry["outcome"] == "skipped"}
    assert skipped == expected
    valid = [row for row in rows if not row.problem]
    assert job.created_count == len(valid) - 1
    assert Contact.objects.count() == len(valid)


def test_a_row_that_likely_matches_an_existing_contact_is_imported_with_a_warning_and_queued(tmp_path):
    # given: Anne Durand, born 4 May 1980 in Lyon, and the Martin household at 3 rue Pasteur
    anne = ContactFactory(
        first_name="Anne", last_name="Durand", emails=["anne@example.org"], birth_date=date(1980, 5, 4),
        street="12 rue de la Paix", postal_code="69002", city="Lyon",
    )  # fmt: skip
    paul = ContactFactory(
        first_name="Paul", last_name="Martin", street="3 rue Pasteur", postal_code="69001",
        phones=["+33145678901"], birth_date=date(1950, 1, 1),
    )  # fmt: skip
    header = ["Prénom", "Nom", "E-mail", "Téléphone", "Date de naissance", "Adresse", "Code postal", "Ville"]
    rows = [
        # her again, another e-mail, a typo in the surname, day and month swapped: likely the same person
        ["ANNE", "Durant", "a.durand@example.net", "", "1980-04-05", "12 r. de la Paix", "69002", "Lyon"],
        # Paul's wife: same surname, address and landline, another first name and birth date: not him
        ["Lise", "Martin", "lise@example.org", "01 45 67 89 01", "1952-03-09", "3 rue Pasteur", "69001", ""],
        # nobody like him
        ["Hugo", "Vidal", "hugo@example.org", "", "1990-01-01", "", "", ""],
    ]
    path = _csv(tmp_path, header, rows)

    # when: a dry run, then the run
    preview = services.import_job_dry_run(job=_job(path))
    assert preview.dry_run["created"] == 3 and not DuplicateCandidate.objects.exists()  # the dry run queues none
    job = services.import_job_run(job=preview)

    # then: the three rows are created; line 2 carries a warning naming Anne, the household member none
    for result in (preview, job):
        assert [(e["line"], e["outcome"]) for e in result.report] == [(2, "likely_duplicate")]
        (reason,) = result.report[0]["reasons"]
        assert f"likely the same person as contact #{anne.pk}" in reason and "birth date" in reason
    assert (job.created_count, job.skipped_count, job.rejected_count) == (3, 0, 0)
    new = Contact.objects.get(last_name="Durant")
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.contact_a_id, candidate.contact_b_id, candidate.status) == (anne.pk, new.pk, "pending")
    assert candidate.score >= 6 and candidate.reasons
    assert Contact.objects.filter(last_name="Martin").count() == 2 and paul.pk
