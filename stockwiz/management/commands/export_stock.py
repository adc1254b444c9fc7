"""Export the stock of every product in every warehouse as CSV."""

import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.models import Stock
from stockwiz.management.commands._progress import Progress

COLUMNS = ("sku", "product_name", "warehouse", "quantity", "reorder_point", "low")
CHUNK_ROWS = 2000


class Command(BaseCommand):
    help = (
        "Write one CSV line per active stock row (a product in a warehouse): "
        f"{', '.join(COLUMNS)} ('true' when the quantity is at or under the "
        "reorder point). Rows are streamed from the database, so memory stays "
        "flat whatever the size. Writes to stdout, or to --output FILE, which "
        "is replaced only once the export is complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", metavar="FILE", help="Write to FILE instead of stdout."
        )

    def handle(self, *args, output, **options):
        rows = (
            Stock.objects.active()
            .order_by("product__sku", "product_id", "warehouse")
            .values_list(
                "product__sku",
                "product__name",
                "warehouse",
                "quantity",
                "reorder_point",
            )
        )
        if output is None:
            self._write(self.stdout, rows)
            return

        target = Path(output)
        partial = target.with_name(f".{target.name}.partial")
        try:
            with open(partial, "w", newline="", encoding="utf-8") as handle:
                written = self._write(handle, rows, total=rows.count())
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        self.stderr.write(f"exported {written} stock rows to {output}")

    def _write(self, stream, rows, total=None):
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        written = 0
        # On stdout the CSV itself is the output: no bar.
        with Progress(total or 0, "exporting", show=total is not None) as bar:
            for sku, name, warehouse, quantity, reorder_point in rows.iterator(
                chunk_size=CHUNK_ROWS
            ):
                writer.writerow(
                    (
                        sku or "",
                        name,
                        warehouse,
                        quantity,
                        reorder_point,
                        "true" if quantity <= reorder_point else "false",
                    )
                )
                written += 1
                bar.advance()
        return written
