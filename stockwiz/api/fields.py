"""Serializer fields that take JSON types as they are.

DRF's own fields coerce: ``"5"`` becomes 5 and ``5`` becomes ``"5"``. An
API whose schema says "integer" should refuse a string, so a client's
mistake is reported instead of guessed at.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number"},
            {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
        ]
    }
)
class StrictDecimalField(serializers.DecimalField):
    """A JSON number, or a decimal written as a string ("12.50", as forms
    and CSV files send it); kept exact as a Decimal. Booleans and other
    types are refused."""

    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        # str() of a float is its shortest exact repr: 12.5 -> "12.5".
        return super().to_internal_value(str(data))
