"""List the stock rows at or under their reorder point, for people and for
monitoring scripts (exit code 2 when there are any)."""

import json
import sys

from django.core.management.base import BaseCommand

from inventory.selectors import low_stock_items

# Exit code when at least one row is low: like grep, "found something" is
# neither success nor failure.
EXIT_LOW_STOCK = 2


class Command(BaseCommand):
    help = (
        "List active stock rows whose quantity is at or under their reorder "
        "point, largest shortfall first. Exits 0 when there are none and 2 "
        "when there are any, so a scheduled task can alert on it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print a JSON array of rows."
        )

    def handle(self, *args, **options):
        rows = [
            {
                "stock_id": row.pk,
                "product_id": row.product_id,
                "sku": row.product.sku,
                "product_name": row.product.name,
                "warehouse": row.warehouse,
                "quantity": row.quantity,
                "reorder_point": row.reorder_point,
                "shortfall": row.reorder_point - row.quantity,
            }
            for row in low_stock_items().select_related("product")
        ]

        if options["json"]:
            self.stdout.write(json.dumps(rows))
        elif not rows:
            self.stdout.write("no stock at or under its reorder point")
        else:
            self._print_table(rows)

        if rows:
            self.stderr.write(f"{len(rows)} stock rows at or under reorder point")
            sys.exit(EXIT_LOW_STOCK)

    def _print_table(self, rows):
        header = ("sku", "product", "warehouse", "quantity", "reorder", "short")
        lines = [
            (
                row["sku"] or "-",
                row["product_name"],
                row["warehouse"],
                str(row["quantity"]),
                str(row["reorder_point"]),
                str(row["shortfall"]),
            )
            for row in rows
        ]
        widths = [max(len(line[i]) for line in [header, *lines]) for i in range(6)]
        for line in [header, *lines]:
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                )
            )
