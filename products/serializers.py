"""Input validation and the JSON shape of a product."""

from decimal import Decimal

from rest_framework import serializers

from products.models import Product
from stockwiz.api.fields import StrictCharField, StrictDecimalField
from stockwiz.api.rendering import isoformat


class ProductSerializer(serializers.ModelSerializer):
    """A product as the API shows it and as clients send it."""

    name = StrictCharField(min_length=1, max_length=255)
    price = StrictDecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        coerce_to_string=False,
    )
    sku = StrictCharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    description = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=10_000
    )
    category = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=100
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "price",
            "category",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is checked by the service, which answers 409, not 400.
        validators = []


def product_to_dict(product):
    """The API shape of ``product``, built without serializer overhead for
    long lists."""
    return {
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "price": product.price,
        "category": product.category,
        "created_at": isoformat(product.created_at),
        "updated_at": isoformat(product.updated_at),
    }
