from django.urls import path

from products import views
from stockwiz.api.routes import route
from stockwiz.api.schema import schema_view

urlpatterns = [
    *route("products", views.ProductListView.as_view(), "product-list"),
    *route(
        "products/<id:product_id>", views.ProductDetailView.as_view(), "product-detail"
    ),
]

schema_urlpatterns = [
    path(
        "products/schema/",
        schema_view("stockwiz.urls.product_api"),
        name="product-schema",
    ),
]
