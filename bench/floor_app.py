"""The framework floor: the cheapest answer gunicorn can give with the
production settings.

A bare WSGI callable that answers every request with the same small JSON
body, about the size of one product. Served by ``gunicorn -c
deploy/gunicorn.conf.py bench.floor_app:application`` with the same
workers and threads as the roles, it measures what the server and the
machine cost, so each StockWiz scenario can be quoted as a share of it.
"""

import json

BODY = json.dumps(
    {
        "id": 1,
        "sku": "FLOOR-0001",
        "name": "Constant answer",
        "description": "The framework floor of the benchmark.",
        "price": 10.0,
        "category": "bench",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }
).encode()
HEADERS = [
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BODY))),
]


def application(environ, start_response):
    # Every path, /health included, gets the same answer.
    start_response("200 OK", HEADERS)
    return [BODY]
