"""Reads of the product catalog."""

from django.db.models import Q

from products.models import Product
from stockwiz.errors import NotFound


def product_list(*, category=None, search=None):
    """Active products ordered by id, optionally filtered."""
    products = Product.objects.active().order_by("id")
    if category:
        products = products.filter(category=category)
    if search:
        products = products.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(sku__iexact=search)
        )
    return products


def product_get(*, product_id):
    try:
        return Product.objects.active().get(pk=product_id)
    except Product.DoesNotExist:
        raise NotFound(f"Product {product_id} not found.") from None
