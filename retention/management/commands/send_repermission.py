"""`manage.py send_repermission [--policy KEY] [--dry-run]`: the RET-04 re-consent requests due today."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from retention.models import RetentionPolicy
from retention.repermission import CLOCK_TARGETS, repermission_send


class Command(BaseCommand):
    help = "Send one re-consent request to each contact whose retention period ends within its policy's N days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", help="the policy key (default: every policy that asks before its end)")
        parser.add_argument("--dry-run", action="store_true", help="count the requests due, send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        policies = RetentionPolicy.objects.filter(
            enabled=True, target__in=CLOCK_TARGETS, repermission_days__isnull=False
        )
        if options["policy"]:
            policies = policies.filter(key=options["policy"])
            if not policies.exists():
                raise CommandError(f"no enforced policy with key {options['policy']!r} asks for re-permission")
        with acting_as(Actor.system("manage.py send_repermission")):
            for policy in policies:
                count = repermission_send(policy=policy, dry_run=options["dry_run"])
                verb = "would send" if options["dry_run"] else "sent"
                self.stdout.write(f"{policy.key}: {verb} {count} re-permission request(s)")
