"""Fake rows from small Faker pools: names (fr_FR, en_GB), unreachable e-mails and phones."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models

from core.actors import Actor
from core.crypto import Ciphertext, encrypt

Row = dict[str, Any]

# --------------------------------------------------------------------------- pools

NOTE_TEMPLATES = {
    "fr_FR": [
        "Rencontré(e) au salon de {city}, intéressé(e) par l'offre {company}.",
        "Préfère être contacté(e) le matin. Rappeler en {month}.",
        "Ancien client de {company}, a demandé une démonstration.",
        "A signalé un problème de facturation, résolu le {day} {month}.",
        "Souhaite recevoir la documentation par courrier à {city}.",
        "Contact recommandé par {name}.",
    ],
    "en_GB": [
        "Met at the {city} trade fair; interested in the {company} offer.",
        "Prefers calls in the morning. Follow up in {month}.",
        "Former {company} customer, asked for a demo.",
        "Reported a billing issue, resolved on {day} {month}.",
        "Wants the brochure posted to {city}.",
        "Referred by {name}.",
    ],
}
MONTHS = {
    "fr_FR": ["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre", "novembre"],
    "en_GB": ["January", "February", "March", "April", "May", "June", "September", "October", "November"],
}
FREE_MAIL_DOMAINS = ["example.com", "example.org", "example.net"]
# Fictional numbers in E.164 (how crm.normalise stores phones): ARCEP's "numéros pour la
# fiction" (prefix + 4 digits) and Ofcom's drama ranges (prefix + 3 digits). The mobile
# ones (06 39 98, 07700 900) are left out: phonenumbers rejects them as invalid.
FR_FICTION_PREFIXES = ["+3319900", "+3326191", "+3335301", "+3346571", "+3397740"]
UK_FICTION_PREFIXES = ["+441134960", "+441214960", "+441614960", "+442079460"]
LOCALES = ("fr_FR", "en_GB")


def ascii_slug(text: str) -> str:
    """'Hélène-Marie O'Neil' -> 'helenemarieoneil' (for e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass
class LocalePool:
    first_names: list[tuple[str, str]]  # (name, ascii slug)
    last_names: list[tuple[str, str]]
    domains: list[str]
    notes: list[str]


@dataclass
class Pools:
    locales: dict[str, LocalePool]

    @classmethod
    def build(cls, seed: int = 0, size: int = 2000) -> Pools:
        """Ask Faker once per locale for `size` names (repeats keep its name frequencies)."""
        try:
            from faker import Faker  # imported only when data is generated
        except ImportError as exc:
            raise ImportError("generating demo data needs Faker, from requirements/dev.txt") from exc

        return cls(locales={locale: _locale_pool(Faker(locale), locale, seed, size) for locale in LOCALES})


def _locale_pool(fake: Any, locale: str, seed: int, size: int) -> LocalePool:
    fake.seed_instance(seed)
    firsts = [fake.first_name() for _ in range(size)]
    lasts = [fake.last_name() for _ in range(size)]
    words = sorted({ascii_slug(fake.domain_word()) for _ in range(size // 10)} - {""})
    domains = [f"{word}.example.com" for word in words]
    notes = []
    for _ in range(size // 10):
        template = fake.random_element(NOTE_TEMPLATES[locale])
        notes.append(
            template.format(
                city=fake.city(),
                company=fake.company(),
                month=fake.random_element(MONTHS[locale]),
                day=fake.random_int(1, 28),
                name=fake.name(),
            )
        )
    return LocalePool(
        first_names=[(name, ascii_slug(name)) for name in firsts],
        last_names=[(name, ascii_slug(name)) for name in lasts],
        domains=domains,
        notes=notes,
    )


# --------------------------------------------------------------------------- rows


class ContactFaker:
    """Combines pool entries into contact rows; `counter` keeps e-mails unique within a run."""

    def __init__(self, pools: Pools, rng: random.Random, *, counter: int = 1, notes_ratio: float = 0.1) -> None:
        self.pools = pools
        self.rng = rng
        self.counter = counter
        self.notes_ratio = notes_ratio

    def person(self) -> Row:
        """first_name, last_name, email, phone and notes (plaintext): what a form would submit."""
        rng = self.rng
        locale = "fr_FR" if rng.random() < 0.55 else "en_GB"
        pool = self.pools.locales[locale]
        first, first_slug = rng.choice(pool.first_names)
        last, last_slug = rng.choice(pool.last_names)
        self.counter += 1
        style = rng.random()
        if style < 0.5:
            local = f"{first_slug}.{last_slug}{self.counter}"
        elif style < 0.8:
            local = f"{first_slug[:1]}{last_slug}{self.counter}"
        else:
            local = f"{last_slug}.{first_slug}{self.counter}"
        domain = rng.choice(FREE_MAIL_DOMAINS) if rng.random() < 0.4 else rng.choice(pool.domains)
        return {
            "first_name": first,
            "last_name": last,
            "email": f"{local}@{domain}",
            "phone": self._phone(locale),
            "notes": rng.choice(pool.notes) if rng.random() < self.notes_ratio else "",
        }

    def _phone(self, locale: str) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return ""
        if locale == "fr_FR":
            return f"{rng.choice(FR_FICTION_PREFIXES)}{rng.randrange(10000):04d}"
        return f"{rng.choice(UK_FICTION_PREFIXES)}{rng.randrange(1000):03d}"

    def contact_rows(self, count: int, *, now: datetime, span_days: int = 5 * 365) -> list[Row]:
        """Rows for a bulk insert: notes already encrypted, creation dates spread over `span_days`."""
        rows = []
        span = span_days * 86400.0
        for _ in range(count):
            row = self.person()
            if row["notes"]:
                row["notes"] = Ciphertext(encrypt(row["notes"]))
            created = now - timedelta(seconds=self.rng.random() * span)
            row["created_at"] = row["updated_at"] = created
            rows.append(row)
        return rows


def history_rows(model: type[models.Model], rows: Iterable[Row], *, actor: Actor, date_field: str) -> list[Row]:
    """One "+" (created) django-simple-history row per inserted row, attributed to `actor`."""
    history_model = model.history.model  # type: ignore[attr-defined]
    copied = [f.attname for f in history_model._meta.concrete_fields if not f.attname.startswith("history_")]
    stamp = {
        "history_type": "+",
        "history_user_id": None,
        "history_change_reason": None,
        "history_actor_kind": actor.kind,
        "history_actor_label": actor.label[:150],
    }
    return [{**{name: row[name] for name in copied}, **stamp, "history_date": row[date_field]} for row in rows]
