"""Cache invalidation for product writes made outside the service layer
(the admin, the shell, a data migration)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from products.models import Product
from stockwiz import cache


@receiver([post_save, post_delete], sender=Product)
def product_changed(**kwargs):
    # Archiving hides a product's stock too, so both views change.
    cache.bump_on_commit(cache.PRODUCTS, cache.INVENTORY)
