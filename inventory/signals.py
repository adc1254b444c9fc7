"""Cache invalidation for stock writes made outside the service layer."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from inventory.models import Stock
from stockwiz import cache


@receiver([post_save, post_delete], sender=Stock)
def stock_changed(**kwargs):
    cache.bump_on_commit(cache.INVENTORY)
