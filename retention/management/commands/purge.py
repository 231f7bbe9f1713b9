"""`manage.py purge [--policy KEY] [--dry-run]`: preview, then run, the enforced retention policies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.actors import Actor, acting_as
from retention.models import RetentionPolicy, RunStatus
from retention.services import purge_policy_now, purge_run_preview


class Command(BaseCommand):
    help = (
        "Purge contacts past their retention period (a policy's first run, or first after a change, waits for the DPO)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", help="the policy key (default: every enforced policy)")
        parser.add_argument("--dry-run", action="store_true", help="count what would be purged, purge nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        policies = RetentionPolicy.objects.filter(enabled=True).exclude(target="none")
        if options["policy"]:
            policies = policies.filter(key=options["policy"])
            if not policies.exists():
                raise CommandError(f"no enforced policy with key {options['policy']!r}")
        with acting_as(Actor.system("manage.py purge")):
            for policy in policies:
                self._one(policy, dry_run=options["dry_run"])

    def _one(self, policy: RetentionPolicy, *, dry_run: bool) -> None:
        run = purge_run_preview(policy=policy) if dry_run else purge_policy_now(policy=policy)
        if run.status == RunStatus.AWAITING_APPROVAL:
            self.stdout.write(f"{policy.key}: {run.expected} to purge; waits for the DPO's approval (run #{run.pk})")
        elif dry_run:
            tables = ", ".join(f"{table} {numbers.get('rows', 0)}" for table, numbers in run.preview.items())
            self.stdout.write(f"{policy.key}: would purge {run.expected} contacts ({tables}); {run.held} held")
        else:
            self.stdout.write(f"{policy.key}: {run.outcome}")
