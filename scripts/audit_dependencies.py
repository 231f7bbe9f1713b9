"""Fail `make test` on a known vulnerability in the pinned requirements (SEC-07), with pip-audit.

pip-audit reads requirements/base.txt and requirements/dev.txt (every package pinned, so `--no-deps`) and asks
the vulnerability service (PyPI's advisory data). Outcomes:

- a known vulnerability in a pinned package, not listed in requirements/audit-ignore.txt: exit 1, naming it
  (every advisory counts, not only "critical" ones: PyPI's advisories carry no severity, and a fix is one pin
  away; one judged harmless is listed in audit-ignore.txt with the reason, e.g. `GHSA-xxxx  # not reachable: …`);
- the service cannot be reached (an offline machine, a registry mirror without the advisory API): a loud
  warning and exit 0, since the suite must run offline; set AUDIT_REQUIRE_SERVICE=1 (CI with network access)
  to make that a failure too;
- otherwise: exit 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = [ROOT / "requirements" / "base.txt", ROOT / "requirements" / "dev.txt"]
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"


def ignored_ids(text: str) -> set[str]:
    return {line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()}


def verdict(report: dict, ignored: set[str], require_service: bool) -> tuple[int, list[str]]:
    """(exit status, lines to print) from pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    found = [
        f"{dep['name']} {dep.get('version', '')}: {vuln['id']} (fixed in {', '.join(vuln.get('fix_versions') or '-')})"
        for dep in dependencies
        for vuln in dep.get("vulns", [])
        if vuln["id"] not in ignored and not ignored & set(vuln.get("aliases", []))
    ]
    if found:
        return 1, ["Known vulnerabilities in the pinned requirements:", *found]
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if dependencies and not audited:
        message = "WARNING: the vulnerability service could not be reached: no dependency was audited."
        return (1 if require_service else 0), [message]
    return 0, [f"No known vulnerability in {len(audited)} pinned packages."]


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "--progress-spinner", "off"]
    command += ["-f", "json", *[arg for path in REQUIREMENTS for arg in ("-r", str(path))]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    require_service = os.environ.get("AUDIT_REQUIRE_SERVICE") == "1"
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("WARNING: pip-audit could not run or reach its service:", result.stderr.strip().splitlines()[-1:])
        return 1 if require_service else 0
    ignored = ignored_ids(IGNORE_FILE.read_text()) if IGNORE_FILE.exists() else set()
    status, lines = verdict(report, ignored, require_service)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
