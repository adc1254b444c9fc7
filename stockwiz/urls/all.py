"""ROLE=all: every role in one process; ``/api/...`` is served in-process."""

from gateway.urls import urlpatterns as gateway_urls
from inventory.urls import (
    schema_urlpatterns as inventory_schema,
)
from inventory.urls import (
    urlpatterns as inventory_urls,
)
from products.urls import (
    schema_urlpatterns as product_schema,
)
from products.urls import (
    urlpatterns as product_urls,
)
from stockwiz.urls.common import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
)

urlpatterns = [
    *gateway_urls,
    *product_schema,
    *inventory_schema,
    *product_urls,
    *inventory_urls,
]
