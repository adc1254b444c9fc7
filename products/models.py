"""The product catalog: what StockWiz can hold stock of."""

from django.db import models
from django.db.models import Q


class ProductQuerySet(models.QuerySet):
    def active(self):
        """Products that were not archived: the only ones any read shows."""
        return self.filter(archived_at__isnull=True)


class Product(models.Model):
    # Unique among active products when set; an archived product's SKU may
    # be given to a new product. NULL, not "", means "no SKU", so that the
    # unique index ignores products without one.
    sku = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    category = models.CharField(max_length=100, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Deleting a product archives it: it leaves every read, its stock
    # history stays.
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="product_price_positive"
            ),
            models.UniqueConstraint(
                fields=["sku"],
                condition=Q(archived_at__isnull=True, sku__isnull=False),
                name="product_sku_unique_active",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.sku})" if self.sku else self.name
