from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import figures


class Command(BaseCommand):
    help = "Recompute the dashboard's figures now (all of them, or the keys given); the beat does it every few minutes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="*", help="Figure keys (default: every registered figure).")
        parser.add_argument("--list", action="store_true", help="List the registered keys and stop.")

    def handle(self, *args: Any, keys: list[str], list: bool, **options: Any) -> None:
        if list:
            self.stdout.write("\n".join(figures.registered_keys()))
            return
        unknown = sorted(set(keys) - set(figures.registered_keys()))
        if unknown:
            self.stderr.write(f"unknown figure(s): {', '.join(unknown)}")
            raise SystemExit(2)
        refreshed = figures.figures_refresh(keys=keys or None)
        self.stdout.write(f"{len(refreshed)} figure(s) refreshed.")
