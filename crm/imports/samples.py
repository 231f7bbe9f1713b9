"""Fictional import files (tests, the bench, demos), shaped like a supplier's French Excel export.

Nobody real can be reached: e-mail domains are reserved `example.*` names
(RFC 2606) and phone numbers come from the ranges ARCEP reserves for fiction.
Some rows can be made invalid on purpose, each with the problem it carries, so
a test can check that the import reports exactly those lines.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..generation.fake import ascii_slug
from ..generation.vocabulary import FR_FICTION_PREFIXES

HEADERS = [
    "Prénom",
    "Nom",
    "E-mail",
    "Téléphone",
    "Société",
    "Fonction",
    "Statut",
    "Date de naissance",
    "Adresse",
    "Code postal",
    "Ville",
    "Pays",
    "Tags",
    "ID externe",
]
FIRST_NAMES = [
    "Élodie", "Jérôme", "Françoise", "Zoé", "Loïc", "Hélène", "Amélie", "Benoît", "Cécile", "Gaëlle",
    "Noël", "Maëlys", "Thérèse", "Léa", "Raphaël", "Chloé", "Oliver", "Amelia", "Siobhan", "Aoife",
    "Harry", "Isla", "George", "Freya",
]  # fmt: skip
LAST_NAMES = [
    "Dupont", "Le Goff", "Lefèvre", "Moreau", "Girard", "N'Diaye", "O'Brien", "Smith", "Müller", "Garçon",
    "Da Silva", "Bernard", "Faure", "Rousseau", "Blanc", "Guérin", "Ó Súilleabháin", "Nguyễn",
]  # fmt: skip
COMPANIES = ["Boulangerie Martin", "Expo Data", "LeadCo", "Atelier Céleste", "Northwind Ltd", "Société Générique"]
JOBS = ["Directrice commerciale", "Acheteur", "Office manager", "Responsable RH", ""]
STATUSES = ["prospect", "Client", "customer", "Membre", ""]
CITIES = [("12 rue de la Paix", "75002", "Paris", "FR"), ("3 quai Perrache", "69002", "Lyon", "FR")]
TAGS = ["salon Lyon 2024", "newsletter", "VIP", "à rappeler"]
PROBLEMS = ("bad_email", "bad_phone", "missing_last_name", "bad_date", "duplicate")


@dataclass
class SampleRow:
    line: int  # spreadsheet line (the header is line 1)
    values: list[str]
    problem: str = ""  # one of PROBLEMS, or "" for a valid row
    duplicate_of: int = 0  # for "duplicate": the line it repeats


def fiction_phones(*, taken: Iterable[str] = (), seed: int = 0) -> Iterator[str]:
    """Every fictional French number in a seeded order, in national format, skipping `taken` (E.164)."""
    skip = set(taken)
    # ARCEP's "numéros pour la fiction": prefix + 4 digits.
    numbers = [f"{prefix}{n:04d}" for prefix in FR_FICTION_PREFIXES for n in range(10_000)]
    random.Random(seed).shuffle(numbers)
    for number in numbers:
        if number not in skip:
            # "+33199001234" -> "01 99 00 12 34", as people type them.
            national = "0" + number[3:]
            yield " ".join(national[i : i + 2] for i in range(0, 10, 2))


def sample_rows(
    count: int,
    *,
    seed: int = 0,
    invalid_ratio: float = 0.0,
    phone_ratio: float = 0.6,
    phones: Iterator[str] | None = None,
    run: str = "",
) -> list[SampleRow]:
    """`count` rows; about `invalid_ratio` of them carry one problem each, the problems taking turns.

    `run` goes into every e-mail address so that files made for different runs never collide.
    """
    rng = random.Random(seed)
    phones = phones if phones is not None else fiction_phones(seed=seed)
    rows: list[SampleRow] = []
    valid_lines: list[int] = []
    turn = 0
    for position in range(count):
        line = position + 2
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{run}{seed}x{position}@example.org"
        phone = next(phones, "") if rng.random() < phone_ratio else ""
        street, postal_code, city, country = rng.choice(CITIES)
        company = rng.choice(COMPANIES) if rng.random() < 0.5 else ""
        values = [
            first,
            last,
            email,
            phone,
            company,
            rng.choice(JOBS) if company else "",
            rng.choice(STATUSES),
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 2004)}"
            if rng.random() < 0.3
            else "",
            street,
            postal_code,
            city,
            country,
            ";".join(rng.sample(TAGS, k=rng.choice((0, 0, 1, 2)))),
            f"EXT-{run}{seed}-{position}" if rng.random() < 0.5 else "",
        ]
        row = SampleRow(line=line, values=values)
        if valid_lines and rng.random() < invalid_ratio:
            row.problem = PROBLEMS[turn % len(PROBLEMS)]
            turn += 1
            _spoil(row, rows, valid_lines, rng)
        if not row.problem:
            valid_lines.append(line)
        rows.append(row)
    return rows


def _spoil(row: SampleRow, rows: list[SampleRow], valid_lines: list[int], rng: random.Random) -> None:
    values = row.values
    if row.problem == "bad_email":
        values[2] = rng.choice(["jean.dupont@", "pas-un-email", "a@b@example.org", "marie dupont@example.org"])
    elif row.problem == "bad_phone":
        values[3] = rng.choice(["12345", "+33 1", "téléphone", "0000000000000000"])
    elif row.problem == "missing_last_name":
        values[1] = ""
    elif row.problem == "bad_date":
        values[7] = rng.choice(["31/02/1980", "1980-13-01", "hier", "32/01/1990"])
    elif row.problem == "duplicate":
        original = rows[rng.choice(valid_lines) - 2]
        values[2] = original.values[2]  # the same e-mail address, written differently
        values[2] = values[2].upper() if rng.random() < 0.5 else f"  {values[2]} "
        values[13] = ""
        row.duplicate_of = original.line


def write_csv(path: Path, rows: list[SampleRow], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADERS)
        writer.writerows(row.values for row in rows)
    return path


def write_xlsx(path: Path, rows: list[SampleRow]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row.values)
    workbook.save(path)
    return path
