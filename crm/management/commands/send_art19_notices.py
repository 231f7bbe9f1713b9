"""Queue the Art. 19 notices of every open task whose recipient has an active webhook (or one recipient's)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.actors import Actor, acting_as
from crm.models import RecipientEndpoint
from crm.services.webhooks import recipient_notices_resend


class Command(BaseCommand):
    help = (
        "Queue a new round of webhook deliveries for the open Art. 19 tasks of recipients with an active webhook "
        "(after a receiver was down longer than the retries last). The worker sends them on the default queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipient", help="only this recipient (its name as in the Art. 19 tasks)")

    def handle(self, *args: Any, recipient: str | None, **opts: Any) -> None:
        if recipient is not None and not RecipientEndpoint.objects.filter(recipient=recipient, active=True).exists():
            raise CommandError(f"No active webhook for the recipient {recipient!r}.")
        with acting_as(Actor.system("send_art19_notices")), transaction.atomic():
            queued = recipient_notices_resend(recipient=recipient)
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} notices."))
