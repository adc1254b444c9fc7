"""ROLE=gateway: the dashboard, the admin, and the API forwarded to the
product and inventory services."""

from gateway.urls import urlpatterns  # noqa: F401
from stockwiz.urls.common import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
)
