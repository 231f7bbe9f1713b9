"""BENCHMARKS.md: a full `make bench` rewrites the bench sections and keeps the mutation score."""

from __future__ import annotations

from bench.run_all import kept_sections


def test_a_full_run_keeps_the_mutation_section_and_nothing_else():
    text = "# Benchmarks\n\n## Contact import\n\n| a |\n\n## Mutation testing\n\n| module | score |\n\n## Other\n\nx\n"

    assert kept_sections(text) == ["## Mutation testing", "", "| module | score |", ""]
