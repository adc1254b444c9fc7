"""Apply migrations with at most one migrator running at a time."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection

# Any constant shared by every StockWiz migrator; "SW" "MG" in ASCII.
MIGRATION_LOCK_ID = 0x5357_4D47


class Command(BaseCommand):
    help = (
        "Wait for the database, then apply migrations. On PostgreSQL an "
        "advisory lock makes concurrent migrators run one after another, so "
        "two deploy tasks started together cannot race."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait",
            type=float,
            default=60,
            help="Seconds to wait for the database to answer (default 60).",
        )

    def handle(self, *args, wait, **options):
        self._wait_for_database(wait)
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            try:
                call_command(
                    "migrate", interactive=False, verbosity=options["verbosity"]
                )
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])

    def _wait_for_database(self, wait):
        deadline = time.monotonic() + wait
        while True:
            try:
                connection.ensure_connection()
                return
            except OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(
                        f"Database not reachable after {wait:g} s: {exc}"
                    ) from exc
                connection.close()
                time.sleep(1)
