"""The product API alone, for its OpenAPI schema."""

from products.urls import urlpatterns  # noqa: F401
