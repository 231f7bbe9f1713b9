from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from access.apikeys import SCOPES, api_key_create
from core.actors import Actor, acting_as


class Command(BaseCommand):
    help = (
        "Create an API key for a machine client. The key is printed once, alone on standard output; "
        "only its hash is stored, so it cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Which client uses the key.")
        parser.add_argument("--scopes", required=True, help=f"Comma-separated scopes, among: {', '.join(SCOPES)}.")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="Expire after DAYS days (default: never).")

    def handle(self, *args: Any, name: str, scopes: str, expires: int | None, **options: Any) -> None:
        wanted = [scope.strip() for scope in scopes.split(",") if scope.strip()]
        try:
            with acting_as(Actor.system("create_api_key")):
                key, plaintext = api_key_create(name=name, scopes=wanted, expires_in_days=expires)
        except ValidationError as error:
            raise CommandError(_describe(error)) from None
        expiry = f"expires {key.expires_at:%Y-%m-%d %H:%M %Z}" if key.expires_at else "never expires"
        self.stderr.write(
            f"API key {key} created with scopes {', '.join(key.scopes)}; it {expiry}. "
            "Store it now: it will not be shown again.",
            style_func=self.style.WARNING,
        )
        self.stdout.write(plaintext)


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    option = {"expires_in_days": "--expires"}
    return " ".join(
        f"{option.get(field, f'--{field}')}: {' '.join(messages)}" for field, messages in error.message_dict.items()
    )
