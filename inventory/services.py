"""Every write to stock. Each runs in one transaction, locks the rows it
changes in primary-key order, changes quantities with ``F()`` expressions and
writes one movement per changed row, so the ledger always balances."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inventory.models import MAX_QUANTITY, Movement, Stock
from products.models import Product
from stockwiz import cache, metrics
from stockwiz.errors import (
    DuplicateStock,
    InsufficientStock,
    InvalidInput,
    NotFound,
    StockOnHand,
)

ADJUST_REASONS = ("receipt", "sale", "return", "damage", "correction")


def _duplicate(product_id, warehouse):
    return DuplicateStock(
        f"Product {product_id} already has a stock row in {warehouse}.",
        errors={"warehouse": ["This product already has stock in this warehouse."]},
    )


def _lock_rows(stock_ids):
    """Lock active rows by id, always in primary-key order, so two writers
    that need the same rows take them in the same order (no deadlock)."""
    rows = (
        Stock.objects.active()
        .select_for_update(of=("self",))
        .filter(pk__in=stock_ids)
        .order_by("pk")
    )
    found = {row.pk: row for row in rows}
    missing = [pk for pk in stock_ids if pk not in found]
    if missing:
        raise NotFound(f"Stock row {missing[0]} not found.")
    return found


def _apply_delta(row, delta, *, reason, note, user, request_id):
    """Change a locked row by ``delta`` and record it; never below zero."""
    if row.quantity + delta < 0:
        metrics.record_stock_event("InsufficientStockRefusals")
        raise InsufficientStock(
            stock_id=row.pk,
            warehouse=row.warehouse,
            requested=-delta,
            available=row.quantity,
        )
    if row.quantity + delta > MAX_QUANTITY:
        raise InvalidInput("delta", f"A row may hold at most {MAX_QUANTITY} units.")
    now = timezone.now()
    Stock.objects.filter(pk=row.pk).update(
        quantity=F("quantity") + delta, last_updated=now
    )
    # The row is locked by this transaction, so the database now holds
    # exactly this: no second read while the lock is held.
    row.quantity += delta
    row.last_updated = now
    Movement.objects.create(
        stock=row,
        delta=delta,
        quantity_after=row.quantity,
        reason=reason,
        note=note or "",
        user=_user_or_none(user),
        request_id=request_id or "",
    )
    return row


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def stock_create(
    *, product_id, warehouse, quantity, reorder_point=None, user=None, request_id=""
):
    """Open a stock row for a product in a warehouse with opening stock."""
    product = Product.objects.active().select_for_update().filter(pk=product_id).first()
    if product is None:
        raise InvalidInput("product_id", f"Product {product_id} does not exist.")
    if Stock.objects.active().filter(product=product, warehouse=warehouse).exists():
        raise _duplicate(product_id, warehouse)
    fields = {"product": product, "warehouse": warehouse, "quantity": 0}
    if reorder_point is not None:
        fields["reorder_point"] = reorder_point
    try:
        with transaction.atomic():
            row = Stock.objects.create(**fields)
    except IntegrityError as exc:
        raise _duplicate(product_id, warehouse) from exc
    _apply_delta(
        row, quantity, reason="opening", note="", user=user, request_id=request_id
    )
    cache.bump_on_commit(cache.INVENTORY)
    return row


@transaction.atomic
def stock_update(
    *,
    stock_id,
    quantity=None,
    warehouse=None,
    reorder_point=None,
    note="",
    user=None,
    request_id="",
):
    """Record a stock count (``quantity``), rename the warehouse or change
    the reorder point of one row."""
    row = _lock_rows([stock_id])[stock_id]
    if warehouse is not None and warehouse != row.warehouse:
        clash = Stock.objects.active().filter(
            product_id=row.product_id, warehouse=warehouse
        )
        if clash.exists():
            raise _duplicate(row.product_id, warehouse)
        row.warehouse = warehouse
    if reorder_point is not None:
        row.reorder_point = reorder_point
    try:
        with transaction.atomic():
            row.save(update_fields=["warehouse", "reorder_point", "last_updated"])
    except IntegrityError as exc:
        raise _duplicate(row.product_id, warehouse) from exc
    if quantity is not None and quantity != row.quantity:
        _apply_delta(
            row,
            quantity - row.quantity,
            reason="count",
            note=note,
            user=user,
            request_id=request_id,
        )
    cache.bump_on_commit(cache.INVENTORY)
    return row


@transaction.atomic
def stock_adjust(*, stock_id, delta, reason, note="", user=None, request_id=""):
    """Add (receipt, return) or remove (sale, damage) units of one row."""
    if reason not in ADJUST_REASONS:
        raise InvalidInput("reason", f"Unknown reason {reason!r}.")
    if delta == 0:
        raise InvalidInput("delta", "Must not be zero.")
    row = _lock_rows([stock_id])[stock_id]
    _apply_delta(row, delta, reason=reason, note=note, user=user, request_id=request_id)
    cache.bump_on_commit(cache.INVENTORY)
    transaction.on_commit(lambda: metrics.record_stock_event("StockAdjustments"))
    return row


@transaction.atomic
def stock_transfer(
    *,
    product_id,
    from_warehouse,
    to_warehouse,
    quantity,
    note="",
    user=None,
    request_id="",
):
    """Move units of a product between two warehouses; the receiving row is
    opened when the product has none there yet."""
    if from_warehouse == to_warehouse:
        raise InvalidInput("to_warehouse", "Must differ from from_warehouse.")
    source = (
        Stock.objects.active()
        .filter(product_id=product_id, warehouse=from_warehouse)
        .values_list("pk", flat=True)
        .first()
    )
    if source is None:
        raise NotFound(f"Product {product_id} has no stock row in {from_warehouse}.")
    target = _receiving_row_id(product_id, to_warehouse)
    rows = _lock_rows([source, target])
    moved_out = _apply_delta(
        rows[source],
        -quantity,
        reason="transfer_out",
        note=note or f"to {to_warehouse}",
        user=user,
        request_id=request_id,
    )
    moved_in = _apply_delta(
        rows[target],
        quantity,
        reason="transfer_in",
        note=note or f"from {from_warehouse}",
        user=user,
        request_id=request_id,
    )
    cache.bump_on_commit(cache.INVENTORY)
    transaction.on_commit(lambda: metrics.record_stock_event("StockTransfers"))
    return moved_out, moved_in


def _receiving_row_id(product_id, warehouse):
    existing = (
        Stock.objects.active()
        .filter(product_id=product_id, warehouse=warehouse)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Stock.objects.create(
                product_id=product_id, warehouse=warehouse, quantity=0
            ).pk
    except IntegrityError:
        # Opened by a concurrent transfer a moment ago.
        return (
            Stock.objects.active()
            .filter(product_id=product_id, warehouse=warehouse)
            .values_list("pk", flat=True)
            .get()
        )


@transaction.atomic
def stock_delete(*, stock_id):
    """Delete an empty row; it leaves every read, its movements stay."""
    row = _lock_rows([stock_id])[stock_id]
    if row.quantity != 0:
        raise StockOnHand(
            f"Stock row {stock_id} still holds {row.quantity} units; "
            "count or transfer them out first.",
            meta={"quantity": row.quantity},
        )
    row.archived_at = timezone.now()
    row.save(update_fields=["archived_at", "last_updated"])
    cache.bump_on_commit(cache.INVENTORY)
