from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from products import views
from stockwiz.api.routes import route

urlpatterns = [
    *route("products", views.ProductListView.as_view(), "product-list"),
    *route(
        "products/<id:product_id>", views.ProductDetailView.as_view(), "product-detail"
    ),
]

schema_urlpatterns = [
    path(
        "products/schema/",
        SpectacularAPIView.as_view(urlconf="stockwiz.urls.product_api"),
        name="product-schema",
    ),
]
