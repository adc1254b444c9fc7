"""ROLE=inventory: the stock service."""

from django.urls import path

from inventory.urls import schema_urlpatterns
from inventory.urls import urlpatterns as inventory_urls
from stockwiz import health
from stockwiz.urls.common import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
)

urlpatterns = [
    path("health", health.health_view("inventory-service"), name="health"),
    path("ready", health.ready, name="ready"),
    *schema_urlpatterns,
    *inventory_urls,
]
