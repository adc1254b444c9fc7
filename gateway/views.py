"""The gateway's own endpoints: forwarding, joins, health and the pages."""

import logging
from http.cookies import SimpleCookie

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from gateway import joins
from gateway.throttles import THROTTLES
from gateway.upstream import HOP_BY_HOP, call_all, upstreams
from inventory.views import parse_bool
from products.serializers import ProductSerializer
from stockwiz import cache
from stockwiz.api.pagination import paging_parameters
from stockwiz.api.rendering import json_response, render_json

logger = logging.getLogger(__name__)


def forward_headers(request):
    """The client's headers for an upstream call, plus where it came from."""
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in HOP_BY_HOP
        and name.lower() != "x-request-id"
        and not name.lower().startswith("x-forwarded-")
    }
    client = request.META.get("REMOTE_ADDR", "")
    earlier = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{earlier}, {client}" if earlier else client
    headers["X-Forwarded-Proto"] = "https" if request.is_secure() else "http"
    headers["X-Forwarded-Host"] = request.get_host()
    headers["X-Forwarded-Prefix"] = "/api"
    headers["X-Request-ID"] = request.request_id
    return headers


def django_response(answer):
    """An upstream answer as this process's response, hop-by-hop headers
    dropped; the request id is set again by the middleware."""
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        lowered = name.lower()
        if lowered in HOP_BY_HOP or lowered in ("date", "server", "x-request-id"):
            continue
        if lowered == "set-cookie":
            response.cookies.update(SimpleCookie(value))
        else:
            response[name] = value
    return response


class GatewayApiView(APIView):
    """Base of the gateway's API views: rate limited; authentication is left
    to the service that answers, unless a view overrides it."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = THROTTLES


class ForwardView(GatewayApiView):
    """Any ``/api/products...`` or ``/api/inventory...`` request, sent to its
    service unchanged; the service's answer comes back unchanged."""

    schema = None  # the services' own schemas describe these paths

    def forward(self, request, path=None, **kwargs):
        # The path without its /api prefix, exactly as the client sent it.
        path = request.path_info.removeprefix("/api/")
        service = "product" if path.startswith("products") else "inventory"
        answer = upstreams()[service].request(
            method=request.method,
            path=f"/{path}",
            query=request.META.get("QUERY_STRING", ""),
            headers=forward_headers(request),
            body=request.body,
        )
        return django_response(answer)

    get = post = put = patch = delete = head = options = forward


class ProductDetailView(ForwardView):
    """A product with its stock summary on GET; other methods forwarded."""

    def get(self, request, product_id):
        answer, body, degraded = joins.product_with_inventory(
            product_id, forward_headers(request)
        )
        if body is None:
            return django_response(answer)
        response = json_response(render_json(body))
        if degraded:
            joins.mark_degraded(response)
        return response


class InventorySummarySerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    warehouse = serializers.CharField()


class ProductFullSerializer(ProductSerializer):
    inventory = InventorySummarySerializer(allow_null=True)

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "inventory"]


class ProductsFullView(GatewayApiView):
    """Every product with its stock summary, in a fixed number of calls.

    The gateway checks the caller's permissions itself here, because it may
    answer from its cache without asking the services.
    """

    authentication_classes = APIView.authentication_classes
    permission_classes = APIView.permission_classes
    required_permissions = {"GET": ["products.view_product", "inventory.view_stock"]}

    @extend_schema(
        parameters=[
            OpenApiParameter("force_refresh", bool, description="Skip the cache."),
            OpenApiParameter("category", str),
            OpenApiParameter("search", str),
            *paging_parameters(),
        ],
        responses={
            200: ProductFullSerializer(many=True),
            502: OpenApiResponse(),
            504: OpenApiResponse(),
        },
    )
    def get(self, request):
        params = request.query_params.copy()
        force_refresh = parse_bool(
            "force_refresh", params.pop("force_refresh", [None])[0]
        )
        query = params.urlencode()
        headers = forward_headers(request._request)
        entry = cache.read([cache.PRODUCTS, cache.INVENTORY], ("products-full", query))
        if entry.value is not None and not force_refresh:
            return json_response(entry.value)

        answer, catalog, degraded = joins.products_full(
            query, headers, public_path=request.path
        )
        if catalog is None:
            return django_response(answer)
        response = json_response(render_json(catalog))
        if degraded:
            # Not cached: the next request should try the inventory again.
            joins.mark_degraded(response)
        else:
            entry.save(response.content)
        return response


@never_cache
@require_GET
def gateway_health(request):
    """The gateway is up; the services' own health, asked concurrently."""
    services = upstreams()
    names = ("product", "inventory")
    answers = call_all(
        [
            (
                services[name],
                {
                    "method": "GET",
                    "path": "/health",
                    "headers": {"X-Request-ID": request.request_id},
                    "timeout": settings.UPSTREAM_HEALTH_TIMEOUT,
                },
            )
            for name in names
        ]
    )
    downstream = {
        f"{name}_service": "healthy"
        if not isinstance(answer, Exception) and answer.status == 200
        else "unhealthy"
        for name, answer in zip(names, answers, strict=True)
    }
    everything_up = all(state == "healthy" for state in downstream.values())
    return JsonResponse(
        {
            "status": "healthy" if everything_up else "degraded",
            "service": settings.SERVICE_NAME,
            "downstream_services": downstream,
        }
    )


@login_required
@require_GET
def dashboard(request):
    return render(request, "gateway/dashboard.html")
