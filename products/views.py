"""HTTP endpoints of the product service: parse, call one service or
selector, shape the answer."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from products import selectors, services
from products.models import Product
from products.serializers import ProductSerializer, product_to_dict
from stockwiz import cache
from stockwiz.api.pagination import paging_parameters
from stockwiz.api.rendering import cached_json_response
from stockwiz.api.views import ApiView

LIST_PARAMETERS = [
    OpenApiParameter("category", str, description="Exact category."),
    OpenApiParameter(
        "search", str, description="Text in name or description, or a SKU."
    ),
    *paging_parameters(),
]


class ProductListView(ApiView):
    queryset = Product.objects.all()  # model for the permission check

    @extend_schema(parameters=LIST_PARAMETERS, responses=ProductSerializer(many=True))
    def get(self, request):
        def build():
            products = selectors.product_list(
                category=request.query_params.get("category"),
                search=request.query_params.get("search"),
            )
            return self.list_data(
                request, products, product_to_dict, count_cached_in=[cache.PRODUCTS]
            )

        return cached_json_response(request, [cache.PRODUCTS], build)

    @extend_schema(request=ProductSerializer, responses={201: ProductSerializer})
    def post(self, request):
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(**serializer.validated_data)
        return Response(product_to_dict(product), status=status.HTTP_201_CREATED)


class ProductDetailView(ApiView):
    queryset = Product.objects.all()

    @extend_schema(responses=ProductSerializer)
    def get(self, request, product_id):
        return cached_json_response(
            request,
            [cache.PRODUCTS],
            lambda: product_to_dict(selectors.product_get(product_id=product_id)),
        )

    @extend_schema(request=ProductSerializer, responses=ProductSerializer)
    def put(self, request, product_id):
        return self._update(request, product_id)

    @extend_schema(request=ProductSerializer, responses=ProductSerializer)
    def patch(self, request, product_id):
        return self._update(request, product_id)

    @extend_schema(responses={204: None})
    def delete(self, request, product_id):
        services.product_archive(product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, product_id):
        serializer = ProductSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        self.require_fields(serializer.validated_data)
        product = services.product_update(
            product_id=product_id, **serializer.validated_data
        )
        return Response(product_to_dict(product))
