"""Blocking: which pairs are compared at all, so that their number grows about linearly with the contacts.

Each record gets a few keys; two records are compared when they share one.

- `e:` each canonical e-mail (exact, the strongest key);
- `p:` each phone number (a switchboard shared by hundreds is a big block: see below);
- `n:` the phonetic keys of first and last name, in sorted order, so that swapped names meet;
- `s:` the surname's phonetic key with the postcode (a first name abbreviated or replaced);
- `b:` the birth date with day and month sorted (a day/month swap meets) and the surname's initial,
  and the same with the first name's initial (a surname changed at marriage).

A block larger than `WINDOW` is read as a sorted neighbourhood instead of all
its pairs: sorted by name, each record is compared with the `WINDOW` records
after it. A common name in a big city, or a switchboard, then costs
`WINDOW` comparisons per record instead of the square of the block.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .normalise import phonetic
from .scoring import Record

WINDOW = 12


def blocking_keys(record: Record) -> set[str]:
    keys = {f"e:{email}" for email in record.emails}
    keys |= {f"p:{phone}" for phone in record.phones}
    first, last = phonetic(record.first), phonetic(record.last)
    if first and last:
        keys.add("n:" + ":".join(sorted((first, last))))
    if last and record.postcode:
        keys.add(f"s:{last}:{record.postcode}")
    if record.birth is not None:
        day, month = sorted((record.birth.day, record.birth.month))
        born = f"{record.birth.year}-{month}-{day}"
        if record.last:
            keys.add(f"b:{born}:{record.last[0]}")
        if record.first:
            keys.add(f"b:{born}:{record.first[0]}")
    return keys


def blocks(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Blocking key -> the records holding it, only keys held by two records or more."""
    index: dict[str, list[Record]] = {}
    for record in records:
        for key in blocking_keys(record):
            index.setdefault(key, []).append(record)
    return {key: members for key, members in index.items() if len(members) > 1}


def block_pairs(members: list[Record]) -> Iterator[tuple[Record, Record]]:
    """The pairs to compare in one block: all of them, or a sorted neighbourhood for a big block."""
    if len(members) <= WINDOW + 1:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                yield a, b
        return
    ordered = sorted(members, key=lambda r: (r.last, r.first, r.id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 : i + 1 + WINDOW]:
            yield a, b


def candidate_pairs(block_list: Iterable[list[Record]]) -> Iterator[tuple[Record, Record]]:
    """Each pair of records sharing a block, once, the lower id first."""
    seen: set[tuple[int, int]] = set()
    for members in block_list:
        for a, b in block_pairs(members):
            if a.id == b.id:
                continue
            pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            if pair in seen:
                continue
            seen.add(pair)
            yield (a, b) if a.id < b.id else (b, a)
