"""The API as clients see it through the gateway, for ``/api/schema/``."""

from django.urls import include, path

from gateway.urls import api_urlpatterns

urlpatterns = [
    *api_urlpatterns,
    path("api/", include("stockwiz.urls.product_api")),
    path("api/", include("stockwiz.urls.inventory_api")),
]
