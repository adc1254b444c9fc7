"""HTTP endpoints of the inventory service: parse, call one service or
selector, shape the answer."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from inventory import selectors, services
from inventory.idempotency import run_idempotent
from inventory.models import Stock
from inventory.serializers import (
    MovementSerializer,
    ProductStockSerializer,
    StockAdjustSerializer,
    StockCreateSerializer,
    StockSerializer,
    StockTransferSerializer,
    StockUpdateSerializer,
    TransferResultSerializer,
    movement_to_dict,
    stock_to_dict,
)
from stockwiz import cache
from stockwiz.api.pagination import paging_parameters
from stockwiz.api.rendering import cached_json_response
from stockwiz.api.views import ApiView

MAX_PRODUCT_IDS = 1000
READ = ["inventory.view_stock"]
WRITE = ["inventory.view_stock", "inventory.change_stock"]

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="Repeat the request with the same key to get the first answer "
    "without applying the change twice.",
)


def parse_product_ids(raw):
    """``"1,2,3"`` as ``[1, 2, 3]``; anything else is a 400."""
    if raw is None:
        return None
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and len(part) <= 18 for part in parts):
        raise ValidationError(
            {"product_id": ["Must be a comma-separated list of product ids."]}
        )
    if len(parts) > MAX_PRODUCT_IDS:
        raise ValidationError(
            {"product_id": [f"At most {MAX_PRODUCT_IDS} ids at once."]}
        )
    return [int(part) for part in parts]


def parse_bool(name, raw):
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise ValidationError({name: ["Must be true or false."]})


def idempotent_answer(request, *, scope, payload, action):
    """Run ``action() -> (status, body)`` at most once per Idempotency-Key
    the client sent (every time when it sent none), as a response."""
    answer_status, body = run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        user=request.user,
        scope=scope,
        payload=payload,
        action=action,
    )
    return Response(body, status=answer_status)


class InventoryListView(ApiView):
    required_permissions = {"GET": READ, "POST": ["inventory.add_stock"]}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "product_id",
                {"type": "string", "pattern": r"^[0-9]{1,18}(,[0-9]{1,18})*$"},
                description="Product ids, comma-separated (at most 1,000).",
            ),
            OpenApiParameter("warehouse", str),
            OpenApiParameter("low_stock", bool),
            *paging_parameters(),
        ],
        responses=StockSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        product_ids = parse_product_ids(params.get("product_id"))
        low_stock = parse_bool("low_stock", params.get("low_stock"))

        def build():
            rows = selectors.stock_list(
                product_ids=product_ids,
                warehouse=params.get("warehouse"),
                low_stock=low_stock,
            )
            return self.list_data(
                request, rows, stock_to_dict, count_cached_in=[cache.INVENTORY]
            )

        return cached_json_response(request, [cache.INVENTORY], build)

    @extend_schema(request=StockCreateSerializer, responses={201: StockSerializer})
    def post(self, request):
        serializer = StockCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.stock_create(
            user=request.user,
            request_id=request.request_id,
            **serializer.validated_data,
        )
        return Response(stock_to_dict(row), status=status.HTTP_201_CREATED)


class InventoryDetailView(ApiView):
    required_permissions = {
        "GET": READ,
        "PUT": WRITE,
        "PATCH": WRITE,
        "DELETE": ["inventory.delete_stock"],
    }

    @extend_schema(responses=StockSerializer)
    def get(self, request, stock_id):
        return Response(stock_to_dict(selectors.stock_get(stock_id=stock_id)))

    @extend_schema(request=StockUpdateSerializer, responses=StockSerializer)
    def put(self, request, stock_id):
        return self._update(request, stock_id)

    @extend_schema(request=StockUpdateSerializer, responses=StockSerializer)
    def patch(self, request, stock_id):
        return self._update(request, stock_id)

    @extend_schema(responses={204: None})
    def delete(self, request, stock_id):
        services.stock_delete(stock_id=stock_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, stock_id):
        serializer = StockUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        note = changes.pop("note", "")
        self.require_fields(changes)
        row = services.stock_update(
            stock_id=stock_id,
            note=note,
            user=request.user,
            request_id=request.request_id,
            **changes,
        )
        return Response(stock_to_dict(row))


class ProductStockView(ApiView):
    required_permissions = {"GET": READ}

    @extend_schema(responses=ProductStockSerializer)
    def get(self, request, product_id):
        def build():
            summary = selectors.product_stock_summary(product_id=product_id)
            rows = summary.pop("rows")
            return {**summary, "warehouses": [stock_to_dict(row) for row in rows]}

        return cached_json_response(request, [cache.INVENTORY], build)


class StockAdjustView(ApiView):
    required_permissions = {"POST": WRITE}

    @extend_schema(
        request=StockAdjustSerializer,
        responses=StockSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, stock_id):
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def adjust():
            row = services.stock_adjust(
                stock_id=stock_id,
                user=request.user,
                request_id=request.request_id,
                **serializer.validated_data,
            )
            return status.HTTP_200_OK, stock_to_dict(row)

        return idempotent_answer(
            request,
            scope=f"adjust:{stock_id}",
            payload=serializer.validated_data,
            action=adjust,
        )


class StockTransferView(ApiView):
    required_permissions = {"POST": WRITE}

    @extend_schema(
        request=StockTransferSerializer,
        responses=TransferResultSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        serializer = StockTransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def transfer():
            moved_out, moved_in = services.stock_transfer(
                user=request.user,
                request_id=request.request_id,
                **serializer.validated_data,
            )
            return status.HTTP_200_OK, {
                "from": stock_to_dict(moved_out),
                "to": stock_to_dict(moved_in),
            }

        return idempotent_answer(
            request,
            scope="transfer",
            payload=serializer.validated_data,
            action=transfer,
        )


class MovementListView(ApiView):
    required_permissions = {"GET": READ}

    @extend_schema(
        parameters=paging_parameters(), responses=MovementSerializer(many=True)
    )
    def get(self, request, stock_id):
        movements = selectors.movement_list(stock_id=stock_id)
        return Response(
            self.list_data(
                request, movements, movement_to_dict, count_cached_in=[cache.INVENTORY]
            )
        )


class LowStockView(ApiView):
    required_permissions = {"GET": READ}

    @extend_schema(parameters=paging_parameters(), responses=StockSerializer(many=True))
    def get(self, request):
        return cached_json_response(
            request,
            [cache.INVENTORY],
            lambda: self.list_data(
                request,
                selectors.low_stock_items(),
                stock_to_dict,
                count_cached_in=[cache.INVENTORY],
            ),
        )


# The model the permission check falls back to when a method is not listed.
for _view in (
    InventoryListView,
    InventoryDetailView,
    ProductStockView,
    StockAdjustView,
    StockTransferView,
    MovementListView,
    LowStockView,
):
    _view.queryset = Stock.objects.all()
