"""Input validation and the JSON shapes of stock rows and movements."""

from rest_framework import serializers

from inventory.models import MAX_QUANTITY, Movement, Stock
from inventory.services import ADJUST_REASONS
from stockwiz.api.fields import StrictCharField, StrictIntegerField
from stockwiz.api.rendering import isoformat

MAX_ID = 2**63 - 1


def _quantity(**kwargs):
    return StrictIntegerField(min_value=0, max_value=MAX_QUANTITY, **kwargs)


def _warehouse(**kwargs):
    return StrictCharField(min_length=1, max_length=100, **kwargs)


class StockSerializer(serializers.ModelSerializer):
    """A stock row as the API shows it."""

    product_id = StrictIntegerField(min_value=1, max_value=MAX_ID)

    class Meta:
        model = Stock
        fields = [
            "id",
            "product_id",
            "warehouse",
            "quantity",
            "reorder_point",
            "last_updated",
        ]


class StockCreateSerializer(serializers.Serializer):
    product_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    warehouse = _warehouse()
    quantity = _quantity()
    reorder_point = _quantity(required=False)


class StockUpdateSerializer(serializers.Serializer):
    quantity = _quantity(required=False, help_text="A stock count.")
    warehouse = _warehouse(required=False)
    reorder_point = _quantity(required=False)
    note = StrictCharField(max_length=500, required=False, allow_blank=True)


class StockAdjustSerializer(serializers.Serializer):
    delta = StrictIntegerField(min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY)
    reason = serializers.ChoiceField(choices=ADJUST_REASONS)
    note = StrictCharField(max_length=500, required=False, allow_blank=True)

    def validate_delta(self, value):
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value


class StockTransferSerializer(serializers.Serializer):
    product_id = StrictIntegerField(min_value=1, max_value=MAX_ID)
    from_warehouse = _warehouse()
    to_warehouse = _warehouse()
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)
    note = StrictCharField(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs):
        if attrs["from_warehouse"] == attrs["to_warehouse"]:
            raise serializers.ValidationError(
                {"to_warehouse": ["Must differ from from_warehouse."]}
            )
        return attrs


class TransferResultSerializer(serializers.Serializer):
    # "from" is a Python keyword, hence the explicit source names.
    def get_fields(self):
        return {"from": StockSerializer(), "to": StockSerializer()}


class MovementSerializer(serializers.ModelSerializer):
    user = serializers.CharField(allow_null=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "delta",
            "quantity_after",
            "reason",
            "note",
            "user",
            "request_id",
            "created_at",
        ]


class ProductStockSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    warehouse = serializers.CharField()
    warehouses = StockSerializer(many=True)


def stock_to_dict(row):
    return {
        "id": row.id,
        "product_id": row.product_id,
        "warehouse": row.warehouse,
        "quantity": row.quantity,
        "reorder_point": row.reorder_point,
        "last_updated": isoformat(row.last_updated),
    }


def movement_to_dict(movement):
    return {
        "id": movement.id,
        "delta": movement.delta,
        "quantity_after": movement.quantity_after,
        "reason": movement.reason,
        "note": movement.note,
        "user": movement.user.get_username() if movement.user else None,
        "request_id": movement.request_id,
        "created_at": isoformat(movement.created_at),
    }
