"""Run every `bench/bench_*.py` and rewrite BENCHMARKS.md with their figures.

    BENCH_CONTACTS=1000000 .venv/bin/python bench/run_all.py
    BENCH_CONTACTS=1000000 .venv/bin/python bench/run_all.py bench_import

The database is DATABASE_URL (default: the `gdpr_crm_bench` PostgreSQL
database, created and migrated when missing), topped up to BENCH_CONTACTS
contacts with `generate_contacts` first. Named scripts run alone: their
sections of BENCHMARKS.md are replaced, each with a note saying when and at
which revision it was measured; the header and the other sections stay.
"""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

BENCH_DIR = Path(__file__).resolve().parent
OUTPUT = common.ROOT / "BENCHMARKS.md"
# Written from `make mutation`'s output, not by a bench script.
KEPT_SECTIONS = ("## Mutation testing",)


def scripts() -> list[str]:
    return [f"bench.{path.stem}" for path in sorted(BENCH_DIR.glob("bench_*.py"))]


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo")
    ram = "?"
    if meminfo.exists():
        kb = int(next(line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line]
        cpu = names[0] if names else cpu
    return {"nproc": str(os.cpu_count()), "ram": ram, "cpu": cpu, "python": platform.python_version()}


def revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=common.ROOT)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=common.ROOT)
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def database() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"{connection.vendor} {connection.settings_dict['NAME']}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version}, database `{connection.settings_dict['NAME']}`"


def dataset() -> str:
    """What the bench database holds (the figures depend on it as much as on the code)."""
    from django.db.models import Count, Q

    from crm.models import Contact, ContactPoint, Interaction, Organisation

    contacts = Contact.objects.aggregate(
        total=Count("id"),
        deleted=Count("id", filter=Q(deleted_at__isnull=False)),
        restricted=Count("id", filter=Q(restricted=True)),
        with_organisation=Count("id", filter=Q(organisation__isnull=False)),
    )
    points = dict(ContactPoint.objects.order_by().values_list("kind").annotate(n=Count("id")))
    return (
        f"{contacts['total']:,} contacts ({contacts['with_organisation']:,} in one of "
        f"{Organisation.objects.count():,} organisations, {contacts['deleted']:,} soft-deleted, "
        f"{contacts['restricted']:,} restricted), {points.get('email', 0):,} e-mails, {points.get('phone', 0):,} "
        f"phones, {Interaction.objects.count():,} interactions, {Contact.tags.through.objects.count():,} tag links"
    )


def render_section(report: common.Report) -> list[str]:
    lines = [f"## {report.title}", "", report.description, "", report.table or common.markdown_table(report), ""]
    lines += [f"- {note}" for note in report.notes]
    lines.append("")
    return lines


def render(reports: list[common.Report], context: dict[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run_all.py` (`make bench`), except the mutation score (`make mutation`); do not edit by",
        "hand. Each table compares the real code path with a baseline measured in the same run, so the ratio",
        "matters more than the absolute figures.",
        "",
        f"- date: {context['date']}, code at {context['revision']}",
        f"- machine: {context['nproc']} CPUs ({context['cpu']}), {context['ram']} RAM, Python {context['python']}",
        f"- machine speed: {context['speed']}",
        f"- database: {context['database']}: {context['dataset']}",
        f"- load: {context['load']}",
        f"- {context['fill']}",
        "",
    ]
    for report in reports:
        lines += render_section(report)
    return "\n".join(lines)


def kept_sections(text: str) -> list[str]:
    """The sections of `text` that no bench script writes (KEPT_SECTIONS): a full run keeps them as they are."""
    lines = text.split("\n")
    starts = [index for index, line in enumerate(lines) if line.startswith("## ")]
    spans = zip(starts, [*starts[1:], len(lines)], strict=True)
    return [line for start, end in spans if lines[start] in KEPT_SECTIONS for line in lines[start:end]]


def replace_sections(text: str, reports: list[common.Report]) -> str:
    """`text` (a BENCHMARKS.md) with the sections titled as `reports` replaced (appended when missing)."""
    lines = text.split("\n")
    starts = [index for index, line in enumerate(lines) if line.startswith("## ")]
    head = lines[: starts[0]] if starts else lines
    sections = [lines[start:end] for start, end in zip(starts, [*starts[1:], len(lines)], strict=True)]
    fresh = {f"## {report.title}": render_section(report) for report in reports}
    for index, section in enumerate(sections):
        sections[index] = fresh.pop(section[0], section)
    sections += fresh.values()
    return "\n".join(head + [line for section in sections for line in section]).rstrip("\n") + "\n"


def fill_text(fill: common.Fill) -> str:
    if not fill.generated:
        return "fill: the contacts already existed (not generated in this run)"
    return (
        f"fill: `generate_contacts {fill.generated}` took {fill.seconds:.1f} s "
        f"({fill.generated / fill.seconds:,.0f} contacts/s) in this run, with at most "
        f"{common.FILL_PHONES:,} phones (the other fictional numbers are left to the import bench)"
    )


def speed_text(before: float, after: float) -> str:
    return (
        f"a fixed pure-Python loop (sum of squares below {common.CPU_LOOP_SIZE:,}, median of 5) took "
        f"{before:,.0f} ms when the benchmarks started and {after:,.0f} ms at the end (lower is faster)"
    )


def run(names: list[str], size: int) -> list[common.Report]:
    reports = []
    for name in names:
        print(f"running {name} ...", flush=True)
        started = time.perf_counter()
        report = importlib.import_module(name).main(contacts=size)
        report.notes.append(f"Script run time: {time.perf_counter() - started:.0f} s.")
        common.print_report(report)
        reports.append(report)
    return reports


def main(names: list[str] | None = None) -> int:
    """Run the scripts (`names`, e.g. ["bench_import"], or all of them) and write BENCHMARKS.md."""
    wanted = [f"bench.{Path(name).stem}" for name in names or []]
    unknown = sorted(set(wanted) - set(scripts()))
    if unknown or (wanted and not OUTPUT.exists()):
        print(f"unknown script(s) {unknown}, or no {OUTPUT.name} to update yet", file=sys.stderr)
        return 2
    common.setup_django()
    size = common.bench_size()
    print(f"ensuring {size:,} contacts ...", flush=True)
    fill = common.ensure_contacts(size)
    measured_code = revision()  # before the runs: the code they measure (it may change while they run)
    load_before, speed_before = os.getloadavg(), common.cpu_loop_ms()
    reports = run(wanted or scripts(), size)
    load_after, speed_after = os.getloadavg(), common.cpu_loop_ms()
    context = {
        **machine(),
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "database": database(),
        "revision": measured_code,
        "dataset": dataset(),
        "load": (
            f"1-min load average {load_before[0]:.2f} when the benchmarks started, {load_after[0]:.2f} at the end; the "
            f"{os.cpu_count()} CPUs are shared with other work running at the same time (database server included), "
            "so absolute figures are noisy"
        ),
        "fill": fill_text(fill),
        "speed": speed_text(speed_before, speed_after),
    }
    if wanted:
        for report in reports:
            report.notes.append(
                f"This section alone was re-measured on {context['date']}, code at {context['revision']}, 1-min load "
                f"average {load_before[0]:.2f} at the start and {load_after[0]:.2f} at the end, machine speed "
                f"{context['speed']}, on "
                f"{context['dataset']}{'; ' + context['fill'] if fill.generated else ''}; the header's date, revision, "
                "load and data set are those of the other sections."
            )
        OUTPUT.write_text(replace_sections(OUTPUT.read_text(), reports))
    else:
        kept = kept_sections(OUTPUT.read_text()) if OUTPUT.exists() else []
        OUTPUT.write_text("\n".join([render(reports, context).rstrip("\n"), "", *kept]).rstrip("\n") + "\n")
    print(f"\nwrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
