"""Check the stock ledger: every row's movements add up to its quantity."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from inventory.models import Stock


def ledger_mismatches():
    """Rows, deleted ones included, whose quantity is negative or differs
    from the sum of their movements: one grouped query."""
    return (
        Stock.objects.values(
            "pk",
            "product_id",
            "product__sku",
            "warehouse",
            "quantity",
            "archived_at",
        )
        .annotate(
            ledger=Coalesce(Sum("movements__delta"), Value(0)),
            movements_count=Count("movements"),
        )
        .filter(Q(quantity__lt=0) | ~Q(quantity=F("ledger")))
        .order_by("pk")
    )


class Command(BaseCommand):
    help = (
        "Audit the stock ledger: for every stock row, active or deleted, the "
        "sum of its movements must equal its quantity and no quantity may be "
        "negative. Lists each row that breaks a rule and exits 1 if any does, "
        "0 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, **options):
        audited = Stock.objects.count()
        mismatches = [
            {
                "stock_id": row["pk"],
                "product_id": row["product_id"],
                "sku": row["product__sku"],
                "warehouse": row["warehouse"],
                "deleted": row["archived_at"] is not None,
                "quantity": row["quantity"],
                "ledger_sum": row["ledger"],
                "difference": row["quantity"] - row["ledger"],
                "movements": row["movements_count"],
            }
            for row in ledger_mismatches().iterator(chunk_size=2000)
        ]

        if options["json"]:
            self.stdout.write(
                json.dumps({"audited": audited, "mismatches": mismatches})
            )
        else:
            for row in mismatches:
                self.stdout.write(
                    f"stock {row['stock_id']} ({row['sku'] or '-'} @ "
                    f"{row['warehouse']}{', deleted' if row['deleted'] else ''}): "
                    f"quantity {row['quantity']}, movements sum to "
                    f"{row['ledger_sum']} ({row['movements']} movements)"
                )
            if not mismatches:
                self.stdout.write(f"ledger balanced: {audited} stock rows audited")

        if mismatches:
            raise CommandError(
                f"{len(mismatches)} of {audited} stock rows do not match their ledger."
            )
