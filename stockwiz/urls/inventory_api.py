"""The inventory API alone, for its OpenAPI schema."""

from inventory.urls import urlpatterns  # noqa: F401
