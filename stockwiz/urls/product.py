"""ROLE=product: the product catalog service."""

from django.urls import path

from products.urls import schema_urlpatterns
from products.urls import urlpatterns as product_urls
from stockwiz import health
from stockwiz.urls.common import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
)

urlpatterns = [
    path("health", health.health_view("product-service"), name="health"),
    path("ready", health.ready, name="ready"),
    *schema_urlpatterns,
    *product_urls,
]
