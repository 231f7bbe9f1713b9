"""SEC-07: `make test` fails on a known vulnerability in the pinned requirements; offline it warns."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

ADVISORY = {"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"], "aliases": ["CVE-2099-1"]}
VULNERABLE = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": [ADVISORY]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    ]
}
OFFLINE = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}]}


def test_a_known_vulnerability_fails_and_is_named():
    status, lines = audit.verdict(VULNERABLE, set(), require_service=False)
    assert status == 1 and "django 5.2.19: PYSEC-2099-1 (fixed in 5.2.20)" in lines


def test_an_advisory_listed_with_its_reason_is_accepted_by_id_or_alias():
    assert audit.verdict(VULNERABLE, {"CVE-2099-1"}, require_service=False)[0] == 0
    assert audit.ignored_ids("PYSEC-2099-1  # not reachable: we never call it\n# comment\n") == {"PYSEC-2099-1"}


def test_an_unreachable_service_warns_offline_and_fails_when_required():
    assert audit.verdict(OFFLINE, set(), require_service=False)[0] == 0
    assert "could not be reached" in audit.verdict(OFFLINE, set(), require_service=False)[1][0]
    assert audit.verdict(OFFLINE, set(), require_service=True)[0] == 1
