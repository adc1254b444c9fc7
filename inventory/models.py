"""Stock: how many units of a product sit in a warehouse, and the ledger of
every change to that number."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

# Largest quantity a row may hold; well inside a 32-bit database integer.
MAX_QUANTITY = 2_000_000_000


class StockQuerySet(models.QuerySet):
    def active(self):
        """Rows that were not deleted and whose product was not archived."""
        return self.filter(archived_at__isnull=True, product__archived_at__isnull=True)


class Stock(models.Model):
    """One product in one warehouse. ``quantity`` changes only through the
    services in ``inventory.services``, each of which writes a movement."""

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="stock_rows"
    )
    warehouse = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=0)
    reorder_point = models.PositiveIntegerField(default=10)
    last_updated = models.DateTimeField(auto_now=True)
    # A deleted row leaves every read but keeps its movements.
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = StockQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "stock row"
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="stock_quantity_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0),
                name="stock_reorder_point_non_negative",
            ),
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                condition=Q(archived_at__isnull=True),
                name="stock_product_warehouse_unique_active",
            ),
        ]
        indexes = [
            models.Index(
                F("reorder_point") - F("quantity"),
                name="stock_shortfall_idx",
            ),
        ]

    def __str__(self):
        return f"{self.product_id} @ {self.warehouse}: {self.quantity}"

    @property
    def is_low(self):
        return self.quantity <= self.reorder_point


class Movement(models.Model):
    """An append-only ledger line: one change of one row's quantity."""

    class Reason(models.TextChoices):
        OPENING = "opening", "Opening stock"
        RECEIPT = "receipt", "Receipt"
        SALE = "sale", "Sale"
        RETURN = "return", "Return"
        DAMAGE = "damage", "Damage"
        CORRECTION = "correction", "Correction"
        COUNT = "count", "Stock count"
        TRANSFER_IN = "transfer_in", "Transfer in"
        TRANSFER_OUT = "transfer_out", "Transfer out"

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements")
    delta = models.IntegerField()
    quantity_after = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request_id = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["stock", "-id"], name="movement_stock_newest")]

    def __str__(self):
        return f"{self.delta:+d} {self.reason} -> {self.quantity_after}"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key``.

    Stored in the database in the same transaction as the change it records,
    so a retried request can never apply the change twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="idempotency_key_unique_per_user"
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.response_status})"
