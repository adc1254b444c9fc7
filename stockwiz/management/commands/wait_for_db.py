"""Block until the database accepts queries, for start scripts and one-off
tasks that must not race the database's own start."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

RETRY_SECONDS = 1


class Command(BaseCommand):
    help = (
        "Wait until the database answers a query, retrying once a second. "
        "Exits 0 as soon as it does, 1 with the last connection error once "
        "--timeout seconds have passed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=float,
            default=60,
            help="Seconds to keep trying (default 60).",
        )

    def handle(self, *args, timeout, **options):
        started = time.monotonic()
        deadline = started + timeout
        while True:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                break
            except OperationalError as exc:
                connection.close()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise CommandError(
                        f"Database not reachable after {timeout:g} s: "
                        f"{str(exc).strip()}"
                    ) from exc
                time.sleep(min(RETRY_SECONDS, remaining))

        elapsed = time.monotonic() - started
        self.stdout.write(f"database ready after {elapsed:.1f} s")
