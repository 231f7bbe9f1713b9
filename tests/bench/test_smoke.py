"""Every bench script runs end to end on 1,000 contacts and reports numbers.

A script may define `SMOKE_ARGS`, keyword arguments of its `main` that keep
this run short (fewer repetitions); the figures only have to be numbers here.
The HTTP bench serves the app from a gunicorn process, which sees only committed
rows: it runs on a transactional database.
"""

from __future__ import annotations

import importlib
import math

import pytest

from bench import common, run_all

SIZE = 1_000


SERVED_SCRIPTS = {"bench.bench_http", "bench.bench_consent_http"}  # they need committed data (another process reads it)


@pytest.fixture
def bench_data(roles_synced: None) -> common.Fill:
    return common.ensure_contacts(SIZE, batch_size=400, echo=False)


@pytest.fixture
def committed_bench_data(transactional_db: None) -> common.Fill:
    from access import roles

    roles.sync_role_permissions()
    return common.ensure_contacts(SIZE, batch_size=400, echo=False)


def test_ensure_contacts_tops_up_once(bench_data: common.Fill) -> None:
    assert (bench_data.contacts, bench_data.generated) == (SIZE, SIZE)
    assert common.ensure_contacts(SIZE, echo=False).generated == 0


def _run_smoke(name: str) -> common.Report:
    module = importlib.import_module(name)
    return module.main(contacts=SIZE, **getattr(module, "SMOKE_ARGS", {}))


@pytest.mark.parametrize("name", sorted(set(run_all.scripts()) - SERVED_SCRIPTS))
def test_bench_script_reports_numeric_medians(bench_data: common.Fill, name: str) -> None:
    _assert_numeric(_run_smoke(name), name)


@pytest.mark.parametrize("name", sorted(SERVED_SCRIPTS))
def test_served_bench_script_reports_numeric_medians(committed_bench_data: common.Fill, name: str) -> None:
    _assert_numeric(_run_smoke(name), name)


def _assert_numeric(report: common.Report, name: str) -> None:
    assert report.metrics, name
    for metric in report.metrics:
        figures = [metric.median, metric.p95, metric.baseline_median, metric.ratio]
        assert all(isinstance(value, float) and math.isfinite(value) and value > 0 for value in figures), metric
        assert metric.p95 >= metric.median
    assert f"| {report.metrics[0].name} |" in common.markdown_table(report)
    assert (report.table or common.markdown_table(report)) in "\n".join(run_all.render_section(report))


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(n) for n in range(1, 101)]

    assert common.percentile(values, 50) == pytest.approx(50.5)
    assert common.percentile(values, 95) == pytest.approx(95.05)
    assert common.percentile([3.0], 95) == 3.0
