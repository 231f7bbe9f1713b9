from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from access.login_guard import account_unlock, locked_guards
from access.models import LoginGuard
from core.actors import Actor, acting_as


class Command(BaseCommand):
    help = (
        "Unlock a username locked after failed sign-ins (the unlock is recorded in the audit trail), "
        "or list the locked ones with --list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="The username to unlock.")
        parser.add_argument("--list", action="store_true", help="List the locked usernames and stop.")

    def handle(self, *args: Any, username: str | None, list: bool, **options: Any) -> None:
        if list:
            for guard in locked_guards():
                self.stdout.write(f"{guard.username}\t{guard.failures}\t{guard.locked_until.isoformat()}")
            return
        if not username:
            raise CommandError("Name the username to unlock, or use --list.")
        guard = LoginGuard.objects.filter(username=username).first()
        if guard is None:
            raise CommandError(f"{username!r} has no failed sign-in on record: nothing to unlock.")
        with acting_as(Actor.system("unlock_account")):
            account_unlock(guard=guard)
        self.stdout.write(self.style.SUCCESS(f"{username} can sign in again."))
