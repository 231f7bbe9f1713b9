"""Demo data: one staff user per role, and a few hundred contacts through the services.

The contacts (crm.generation.demo) come with e-mails and phones, about 30
organisations, tags and interactions written by the Support and Sales users;
the Sales user owns about a third of them and a couple sit in the trash.
Idempotent: a second run adds no contacts and only resets the passwords. The
passwords derive from DEMO_PASSWORD_SEED (written to `.env` by `make install`),
so they stay the same across runs of one checkout; without the seed each run
draws new random ones. Apps add their own steps with `crm.generation.seed_step`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from access import roles
from core.actors import Actor, acting_as
from crm.generation import Pools, SeedContext, seed_steps

# username -> role (group); "admin" is also the Django superuser.
STAFF = {
    "admin": roles.ADMINISTRATOR,
    "dpo": roles.DPO,
    "sales": roles.SALES,
    "marketing": roles.MARKETING,
    "support": roles.SUPPORT,
    "auditor": roles.AUDITOR,
}


def demo_password(username: str, seed: str) -> str:
    """14 characters derived from the seed, or random ones when there is no seed."""
    if not seed:
        return secrets.token_urlsafe(12)[:14]
    digest = hmac.new(seed.encode(), username.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:14]


@transaction.atomic
def staff_user_seed(*, username: str, role: str, password: str) -> AbstractBaseUser:
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.email = f"{username}@staff.example.org"
    user.first_name = role
    user.last_name = "Demo"
    user.is_active = True
    user.is_staff = user.is_superuser = username == "admin"
    user.set_password(password)
    user.save()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.set([group])
    return user


class Command(BaseCommand):
    help = "Create the demo staff (one user per role) and demo contacts, organisations and interactions; safe to rerun."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=300, help="contacts the demo should hold (default 300)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed of the generated data")

    def handle(self, *args: Any, contacts: int, seed: int, **options: Any) -> None:
        password_seed = os.environ.get("DEMO_PASSWORD_SEED", "")
        credentials = [(role, username, demo_password(username, password_seed)) for username, role in STAFF.items()]
        context = SeedContext(
            contacts=contacts,
            rng=random.Random(seed),
            pools=Pools.build(seed=seed),
            out=lambda line: self.stdout.write(line),
        )
        with acting_as(Actor.system("seed_demo")):
            for role, username, password in credentials:
                context.users[role] = staff_user_seed(username=username, role=role, password=password)
            for step in seed_steps():
                step(context)
        self._print_credentials(credentials, generated=not password_seed)

    def _print_credentials(self, credentials: list[tuple[str, str, str]], *, generated: bool) -> None:
        width = max(len(role) for role, _, _ in credentials)
        self.stdout.write("")
        self.stdout.write(f"{'role':<{width}}  {'username':<10}  password")
        for role, username, password in credentials:
            self.stdout.write(f"{role:<{width}}  {username:<10}  {password}")
        if generated:
            self.stdout.write(self.style.WARNING("DEMO_PASSWORD_SEED is not set: these passwords are new on each run."))
        port = os.environ.get("PORT", "8000")
        self.stdout.write(self.style.SUCCESS(f"Open http://127.0.0.1:{port}/"))
