"""Print the score of the last `mutmut run` per mutated module, as a Markdown table, and its survivors.

Reads mutmut's result files (mutants/**/*.py.meta). A mutant counts as caught when a
test failed (killed) or ran out of time; "no tests" means no selected test runs the
mutated function. Run by `make mutation` after `mutmut run`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

CAUGHT = ("killed", "timeout")


def results(root: Path) -> dict[str, dict[str, str]]:
    """module path -> mutant name -> status."""
    found = {}
    for meta in sorted(root.rglob("*.py.meta")):
        module = str(meta.relative_to(root)).removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        found[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return found


def table(by_module: dict[str, dict[str, str]]) -> list[str]:
    lines = [
        "| module | mutants | killed | timeout | survived | no tests | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for module, statuses in by_module.items():
        counts = Counter(statuses.values())
        total.update(counts)
        lines.append(_row(f"`{module}`", counts))
    lines.append(_row("**all**", total))
    return lines


def _row(label: str, counts: Counter[str]) -> str:
    mutants = sum(counts.values())
    caught = sum(counts[status] for status in CAUGHT)
    score = f"{100 * caught / mutants:.1f} %" if mutants else "-"
    return (
        f"| {label} | {mutants} | {counts['killed']} | {counts['timeout']} | {counts['survived']} "
        f"| {counts['no tests']} | {score} |"
    )


def main() -> int:
    by_module = results(Path("mutants"))
    if not by_module:
        print("no mutmut results under mutants/: run `make mutation`", file=sys.stderr)
        return 1
    print("\n".join(table(by_module)))
    missed = [name for statuses in by_module.values() for name, status in statuses.items() if status not in CAUGHT]
    print(f"\n{len(missed)} not caught (`mutmut show NAME` prints the change):")
    print(
        "\n".join(
            f"- {name}: {status}"
            for statuses in by_module.values()
            for name, status in statuses.items()
            if status not in CAUGHT
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
