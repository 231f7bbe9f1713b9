from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from access.two_factor import two_factor_reset
from core.actors import Actor, acting_as


class Command(BaseCommand):
    help = (
        "Remove the second factor (authenticator and recovery codes) of a staff account whose owner lost "
        "them; they enrol again at their next sign-in. Recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        with acting_as(Actor.system("reset_two_factor")):
            count = two_factor_reset(user=user)
        self.stdout.write(self.style.SUCCESS(f"{count} device(s) removed: {username} enrols again at next sign-in."))
