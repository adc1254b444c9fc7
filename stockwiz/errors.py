"""Domain errors: raised by services, turned into API answers in one place.

Each carries a stable ``code``, the HTTP status it maps to, a human sentence
and, where a client can act on them, the numbers behind it (``meta``).
"""


class DomainError(Exception):
    status = 400
    code = "invalid_request"

    def __init__(self, detail, *, meta=None, errors=None):
        super().__init__(detail)
        self.detail = detail
        self.meta = meta
        self.errors = errors


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class DuplicateSku(Conflict):
    code = "duplicate_sku"


class DuplicateStock(Conflict):
    code = "duplicate_stock"


class StockOnHand(Conflict):
    code = "stock_on_hand"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, *, stock_id, warehouse, requested, available):
        super().__init__(
            f"Not enough stock in {warehouse}: requested {requested}, "
            f"available {available}.",
            meta={
                "stock_id": stock_id,
                "warehouse": warehouse,
                "requested": requested,
                "available": available,
            },
        )
        self.requested = requested
        self.available = available


class InvalidInput(DomainError):
    """A request that is well-formed but refers to something unusable."""

    status = 400
    code = "validation_error"

    def __init__(self, field, message):
        super().__init__(message, errors={field: [message]})
