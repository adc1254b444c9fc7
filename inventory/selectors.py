"""Reads of stock and its ledger."""

from django.db.models import F

from inventory.models import Movement, Stock
from stockwiz.errors import NotFound


def stock_list(*, product_ids=None, warehouse=None, low_stock=False):
    rows = Stock.objects.active().order_by("id")
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    if warehouse:
        rows = rows.filter(warehouse=warehouse)
    if low_stock:
        rows = rows.filter(quantity__lte=F("reorder_point"))
    return rows


def stock_get(*, stock_id):
    try:
        return Stock.objects.active().get(pk=stock_id)
    except Stock.DoesNotExist:
        raise NotFound(f"Stock row {stock_id} not found.") from None


def low_stock_items():
    """Rows at or under their reorder point, the largest shortfall first."""
    return (
        Stock.objects.active()
        .filter(quantity__lte=F("reorder_point"))
        .order_by((F("reorder_point") - F("quantity")).desc(), "id")
    )


def product_stock_summary(*, product_id):
    """Total units of a product, the warehouse holding most, and its rows."""
    rows = list(stock_list(product_ids=[product_id]))
    if not rows:
        raise NotFound(f"Product {product_id} has no stock.")
    return {
        "product_id": product_id,
        "quantity": sum(row.quantity for row in rows),
        "warehouse": max(rows, key=lambda row: (row.quantity, -row.id)).warehouse,
        "rows": rows,
    }


def movement_list(*, stock_id):
    """A row's ledger, newest first; the row may have been deleted since."""
    if not Stock.objects.filter(
        pk=stock_id, product__archived_at__isnull=True
    ).exists():
        raise NotFound(f"Stock row {stock_id} not found.")
    return (
        Movement.objects.filter(stock_id=stock_id)
        .select_related("user")
        .order_by("-id")
    )
