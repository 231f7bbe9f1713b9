"""Duplicate detection quality and speed, beside recordlinkage (ECM) and Splink (DuckDB, EM), same data same run.

The data come from `crm.dedup.synthetic`: people with known duplicates (typos,
swapped first and last names, nicknames, day/month swaps, phone formats,
missing fields, changed addresses, other forms of the e-mail) and the hard
non-matches a CRM holds (households: same surname, street, postcode, often the
same landline or a family e-mail; namesakes). Each tool reads the same rows and
is scored against the same truth: precision, recall, F1, and the share of its
false matches that are members of one household.

- ours: `crm.dedup` (normalisation, blocking keys with sorted neighbourhood,
  rapidfuzz scoring, review threshold), in memory: the work a run does once
  the rows are read;
- recordlinkage 0.16, as its deduplication guide does: blocking passes on
  several keys (first and last name, surname and postcode, birth date, e-mail,
  phone) plus a sorted neighbourhood on the surname within one first name,
  Jaro-Winkler ≥ 0.85 on the names and the street, exact comparisons
  elsewhere (binary features), the unsupervised ECM classifier;
- Splink 5 on DuckDB, as its deduplication tutorial does: blocking rules for
  prediction on the same keys, the comparison library (`NameComparison` with
  term frequencies, `DateOfBirthComparison`, `EmailComparison`, Jaro-Winkler
  levels on the street, exact postcode and phone), λ from deterministic rules,
  u by random sampling, m by EM on two blocking rules, pairs kept at match
  probability ≥ 0.9.

Each established tool runs in a forked process stopped after
BENCH_DEDUP_TIME_LIMIT seconds (default 900); one that does not finish is
reported so. The three tools get the same rows (`_frame` gives the other two
the rows lower-cased, phones in E.164) and are scored against the same truth.

Sizes: BENCH_DEDUP_SIZES (default "10000,100000"). The time is the best of
BENCH_DEDUP_REPEAT runs (default 3) for ours; one run each for the other two.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SMOKE_ARGS = {"sizes": (1_000,), "repeat": 1}
Pair = tuple[int, int]


def _sizes() -> tuple[int, ...]:
    return tuple(int(s) for s in os.environ.get("BENCH_DEDUP_SIZES", "10000,100000").split(","))


# ------------------------------------------------------------------ ours


def run_ours(rows: list[Any]) -> set[Pair]:
    from crm.dedup.blocking import blocks, candidate_pairs
    from crm.dedup.records import record_from_values
    from crm.dedup.scoring import REVIEW_THRESHOLD, score_pair

    records = [
        record_from_values(
            pk=r.id,
            first_name=r.first_name,
            last_name=r.last_name,
            birth_date=r.birth_date,
            street=r.street,
            postal_code=r.postal_code,
            city=r.city,
            organisation=r.organisation,
            emails=[r.email] if r.email else [],
            phones=[r.phone] if r.phone else [],
        )
        for r in rows
    ]
    found = set()
    for a, b in candidate_pairs(blocks(records).values()):
        if score_pair(a, b).total >= REVIEW_THRESHOLD:
            found.add((a.id, b.id))
    return found


# ------------------------------------------------------------------ the others


def _frame(rows: list[Any]) -> Any:
    import pandas as pd

    from crm.normalise import normalise_phone

    def phone(value: str) -> str | None:
        if not value:
            return None
        try:
            return normalise_phone(value)
        except Exception:  # noqa: BLE001
            return value

    return pd.DataFrame(
        {
            "unique_id": [r.id for r in rows],
            "first_name": [r.first_name.lower() or None for r in rows],
            "last_name": [r.last_name.lower() or None for r in rows],
            "birth_date": [r.birth_date.isoformat() if r.birth_date else None for r in rows],
            "street": [r.street.lower() or None for r in rows],
            "postcode": [r.postal_code or None for r in rows],
            "email": [r.email.lower() or None for r in rows],
            "phone": [phone(r.phone) for r in rows],
        }
    ).set_index("unique_id", drop=False)


def run_recordlinkage(rows: list[Any]) -> set[Pair]:
    """As the toolkit's deduplication guide does: several blocking passes, thresholded comparisons, ECM.

    Blocking: the same first name and surname; the same surname and postcode; the same birth date; the
    same e-mail; the same phone; a sorted neighbourhood on the surname within one first name (a typo in the
    surname). No pass on the surname alone: with a few hundred surnames it yields millions of pairs. The
    string comparisons are thresholded (Jaro-Winkler ≥ 0.85), so every feature is binary, which is what
    the ECM classifier expects.
    """
    import recordlinkage as rl
    from recordlinkage.index import SortedNeighbourhood

    frame = _frame(rows)
    indexer = rl.Index()
    indexer.block(["first_name", "last_name"])
    indexer.block(["last_name", "postcode"])
    indexer.block("birth_date")
    indexer.block("email")
    indexer.block("phone")
    indexer.add(SortedNeighbourhood("last_name", window=3, block_on="first_name"))
    pairs = indexer.index(frame)
    compare = rl.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="first_name")
    compare.string("last_name", "last_name", method="jarowinkler", threshold=0.85, label="last_name")
    compare.exact("birth_date", "birth_date", label="birth_date")
    compare.exact("postcode", "postcode", label="postcode")
    compare.string("street", "street", method="jarowinkler", threshold=0.85, label="street")
    compare.exact("email", "email", label="email")
    compare.exact("phone", "phone", label="phone")
    features = compare.compute(pairs, frame)
    matches = rl.ECMClassifier().fit_predict(features)
    return {(min(a, b), max(a, b)) for a, b in matches}


def run_splink(rows: list[Any]) -> set[Pair]:
    """As Splink's deduplication tutorial does (DuckDB backend, comparison library, EM training).

    Blocking rules for prediction: the same first name and surname, surname and postcode, birth date,
    e-mail, phone. Comparisons: `NameComparison` on both names with term-frequency adjustments,
    `DateOfBirthComparison`, `EmailComparison`, exact postcode with term frequencies (`PostcodeComparison`
    parses British postcodes only), Jaro-Winkler levels on the street, exact phone. λ from two
    deterministic rules, u by random sampling, m by EM on two blocking rules, pairs kept at match
    probability ≥ 0.9.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    frame = _frame(rows).reset_index(drop=True)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "postcode"),
            block_on("birth_date"),
            block_on("email"),
            block_on("phone"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
        ],
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=30)
    deterministic = [block_on("first_name", "last_name", "birth_date"), block_on("email")]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_pandas_dataframe()
    return {(min(a, b), max(a, b)) for a, b in zip(predictions["unique_id_l"], predictions["unique_id_r"], strict=True)}


# ------------------------------------------------------------------ scoring the tools


def quality(found: set[Pair], truth: set[Pair], households: set[Pair]) -> dict[str, float]:
    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false = found - truth
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "household_share": len(false & households) / len(false) if false else 0.0,
        "false": len(false),
    }


def household_pairs(rows: list[Any]) -> set[Pair]:
    by_home: dict[tuple[str, str, str], list[int]] = {}
    for r in rows:
        by_home.setdefault((r.last_name, r.street, r.postal_code), []).append(r.id)
    return {(a, b) for ids in by_home.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}


def _timed(func: Callable[[list[Any]], set[Pair]], rows: list[Any]) -> tuple[set[Pair], float]:
    started = time.perf_counter()
    found = func(rows)
    return found, time.perf_counter() - started


def _in_child(func: Callable[[list[Any]], set[Pair]], rows: list[Any], limit: float) -> tuple[set[Pair] | None, float]:
    """Run one tool in a forked process, stopped after `limit` seconds: (None, limit) when it did not finish."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        send.send(_timed(func, rows))

    process = context.Process(target=child)
    process.start()
    if receive.poll(limit):
        found, seconds = receive.recv()
        process.join()
        return found, seconds
    process.kill()
    process.join()
    return None, limit


TOOLS: dict[str, Callable[[list[Any]], set[Pair]]] = {
    "ours (crm.dedup)": run_ours,
    "recordlinkage ECM": run_recordlinkage,
    "Splink DuckDB EM": run_splink,
}


def main(contacts: int = 0, sizes: tuple[int, ...] | None = None, repeat: int = 0) -> common.Report:
    from crm.dedup import synthetic

    repeat = repeat or int(os.environ.get("BENCH_DEDUP_REPEAT", "3"))
    limit = float(os.environ.get("BENCH_DEDUP_TIME_LIMIT", "900"))  # seconds per established tool and size

    lines = [
        "| contacts | tool | precision | recall | F1 | false matches (household share) | seconds |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    metrics = []
    for size in sizes or _sizes():
        rows, truth = synthetic.people(size, seed=size)
        households = household_pairs(rows)
        # The same rows and the same truth for the three tools: each truth pair names two rows given to them.
        ids = {r.id for r in rows}
        assert len(ids) == len(rows) and all(a in ids and b in ids and a < b for a, b in truth)
        times: dict[str, list[float]] = {}
        for name, func in TOOLS.items():
            runs = repeat if name.startswith("ours") else 1
            samples = []
            for _ in range(runs):
                if name.startswith("ours"):
                    found, seconds = _timed(func, rows)
                else:
                    found, seconds = _in_child(func, rows, limit)
                samples.append(seconds)
            times[name] = samples
            if found is None:
                lines.append(f"| {len(rows):,} | {name} | | | | | did not finish in {limit:.0f} s |")
                continue
            q = quality(found, truth, households)
            lines.append(
                f"| {len(rows):,} | {name} | {q['precision']:.3f} | {q['recall']:.3f} | {q['f1']:.3f} | "
                f"{q['false']:,} ({q['household_share']:.0%}) | {min(samples):.1f} |"
            )
        others = [s for name, s in times.items() if not name.startswith("ours")]
        fastest_other = min(others, key=min)
        metrics.append(
            common.Metric(
                f"find duplicates in {len(rows):,} contacts",
                [s * 1000 for s in times["ours (crm.dedup)"]],
                baseline=[s * 1000 for s in fastest_other],
                note="baseline: the faster of recordlinkage and Splink",
            )
        )
    return common.Report(
        title="Duplicate detection (quality and speed)",
        description=(
            "Generated people with known duplicates and hard non-matches (households, namesakes), "
            "`crm.dedup.synthetic`; ours beside recordlinkage (ECM) and Splink (DuckDB, EM) on the same rows "
            "in the same run (see bench/bench_dedup.py for each tool's configuration). In memory, without "
            "the database: the matching work alone. Truth: "
            f"{len(truth):,} duplicate pairs at the last size."
        ),
        metrics=metrics,
        table="\n".join(lines),
        notes=[
            "The machine is shared with other engineers' test runs: times are noisy, compare within a row group.",
        ],
    )


if __name__ == "__main__":
    common.setup_django(migrate=False)
    common.print_report(main())
