"""Delete stored Idempotency-Key answers older than a retention period."""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inventory.models import IdempotencyKey


class Command(BaseCommand):
    help = (
        "Delete the stored first answers of adjust and transfer requests sent "
        "with an Idempotency-Key, once they are older than --days (default "
        "7). A client retrying with a pruned key applies its change again, "
        "so keep the period longer than any client retries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=7,
            help="Keep answers this many days (at least 1; default 7).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        if options["json"]:
            self.stdout.write(
                json.dumps({"deleted": deleted, "cutoff": cutoff.isoformat()})
            )
        else:
            self.stdout.write(
                f"deleted {deleted} idempotency keys older than {days} days"
            )
