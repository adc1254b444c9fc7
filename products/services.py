"""Writes to the product catalog. Each runs in one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from products.models import Product
from stockwiz import cache
from stockwiz.errors import DuplicateSku, NotFound, StockOnHand

PRODUCT_FIELDS = ("sku", "name", "description", "price", "category")


def _normalize_sku(fields):
    if "sku" in fields and fields["sku"] is not None:
        fields["sku"] = fields["sku"].strip() or None
    return fields


def _ensure_sku_free(sku, *, exclude_id=None):
    if sku is None:
        return
    taken = Product.objects.active().filter(sku=sku)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise DuplicateSku(
            f"A product with SKU {sku!r} already exists.",
            errors={"sku": ["A product with this SKU already exists."]},
        )


def _save(product):
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        # A concurrent writer took the SKU between the check and the insert.
        if "sku" in str(exc):
            raise DuplicateSku(
                f"A product with SKU {product.sku!r} already exists.",
                errors={"sku": ["A product with this SKU already exists."]},
            ) from exc
        raise


@transaction.atomic
def product_create(*, name, price, description="", category="", sku=None):
    fields = _normalize_sku({"sku": sku})
    _ensure_sku_free(fields["sku"])
    product = Product(
        sku=fields["sku"],
        name=name,
        description=description or "",
        price=price,
        category=category or "",
    )
    _save(product)
    cache.bump_on_commit(cache.PRODUCTS)
    return product


@transaction.atomic
def product_update(*, product_id, **changes):
    """Apply ``changes`` (a subset of the product fields) to one product."""
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    product = _locked_active(product_id)
    changes = _normalize_sku(changes)
    if "sku" in changes:
        _ensure_sku_free(changes["sku"], exclude_id=product.pk)
    for field, value in changes.items():
        if field in ("description", "category") and value is None:
            value = ""
        setattr(product, field, value)
    _save(product)
    cache.bump_on_commit(cache.PRODUCTS)
    return product


@transaction.atomic
def product_archive(*, product_id):
    """Archive a product that holds no stock; its history is kept."""
    from inventory.models import Stock

    product = _locked_active(product_id)
    rows = list(
        Stock.objects.active()
        .filter(product=product)
        .select_for_update()
        .order_by("pk")
    )
    on_hand = sum(row.quantity for row in rows)
    if on_hand > 0:
        raise StockOnHand(
            f"Product {product_id} still has {on_hand} units in stock; "
            "move or write them off first.",
            meta={"quantity": on_hand},
        )
    now = timezone.now()
    Stock.objects.filter(pk__in=[row.pk for row in rows]).update(archived_at=now)
    product.archived_at = now
    product.save(update_fields=["archived_at", "updated_at"])
    cache.bump_on_commit(cache.PRODUCTS, cache.INVENTORY)
    return product


def _locked_active(product_id):
    try:
        return Product.objects.active().select_for_update().get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound(f"Product {product_id} not found.") from None
