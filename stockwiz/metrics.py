"""Request and business metrics as CloudWatch Embedded Metric Format lines.

Each metric is one JSON object printed on its own line to stdout by the
``stockwiz.metrics`` logger, which bypasses the normal JSON log format. The
ECS log driver ships stdout to CloudWatch Logs, and CloudWatch turns every
line that carries an ``_aws`` block into metric data points, so recording a
metric costs no AWS call.

Metrics, all in the ``StockWiz`` namespace:

- ``RequestCount`` (Count) and ``RequestLatency`` (Milliseconds) per
  ``Role``, ``Route`` (the URL pattern, never the raw path with its ids)
  and ``StatusClass`` (``2xx``, ``4xx``, ``5xx``...).
- ``StockAdjustments``, ``StockTransfers`` and ``InsufficientStockRefusals``
  (Count) per ``Role``.
- ``LogEventsLost`` (Count) per ``Role``: log lines that could not be
  shipped to CloudWatch Logs (see ``stockwiz.cloudwatch``).

``METRICS_ENABLED=0`` turns every one of them off.
"""

import json
import logging
import time

from django.conf import settings

from stockwiz.logging import current_role, request_id_var

NAMESPACE = "StockWiz"
STOCK_EVENTS = ("StockAdjustments", "StockTransfers", "InsufficientStockRefusals")
# Requests that matched no URL pattern share one route, so scans of random
# paths cannot create a metric per path.
UNMATCHED_ROUTE = "unmatched"
# Longest route kept as a dimension value; CloudWatch allows 1024 characters.
MAX_ROUTE_LENGTH = 250

logger = logging.getLogger("stockwiz.metrics")


def enabled():
    return getattr(settings, "METRICS_ENABLED", True)


def emf_document(metrics, *, dimensions, properties=None):
    """The EMF object for ``metrics`` (``{name: (value, unit)}``) recorded
    under one set of ``dimensions``; ``properties`` are extra fields that
    are searchable in Logs Insights but are not dimensions."""
    document = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [list(dimensions)],
                    "Metrics": [
                        {"Name": name, "Unit": unit}
                        for name, (_, unit) in metrics.items()
                    ],
                }
            ],
        },
        **(properties or {}),
        **dimensions,
    }
    for name, (value, _) in metrics.items():
        document[name] = value
    return document


def emit(metrics, *, dimensions, properties=None):
    """Print one EMF line, unless metrics are turned off."""
    if not enabled():
        return
    document = emf_document(metrics, dimensions=dimensions, properties=properties)
    logger.info("%s", json.dumps(document, separators=(",", ":")))


def route_of(request):
    """The URL pattern that served ``request``, e.g.
    ``/inventory/<id:stock_id>/adjust``; never the path with real ids."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    if not route:
        return UNMATCHED_ROUTE
    # "x" and "x/" are the same endpoint (see stockwiz.api.routes.route).
    route = "/" + route.strip("/")
    return route[:MAX_ROUTE_LENGTH]


def status_class(status):
    return f"{status // 100}xx"


def record_request(request, status, started):
    """Count one request and its latency; ``started`` is the
    ``time.perf_counter()`` value taken when the request arrived."""
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    emit(
        {
            "RequestCount": (1, "Count"),
            "RequestLatency": (duration_ms, "Milliseconds"),
        },
        dimensions={
            "Role": current_role(),
            "Route": route_of(request),
            "StatusClass": status_class(status),
        },
        properties={"request_id": getattr(request, "request_id", "-")},
    )


def record_stock_event(name, count=1):
    """Count a stock change or refusal: one of ``STOCK_EVENTS``.

    Count a change once its transaction commits (``transaction.on_commit``)
    so a rolled-back change is not counted; count a refusal when it is
    raised, since its transaction never commits.
    """
    if name not in STOCK_EVENTS:
        raise ValueError(
            f"Unknown stock event {name!r}; expected one of {', '.join(STOCK_EVENTS)}."
        )
    emit(
        {name: (count, "Count")},
        dimensions={"Role": current_role()},
        properties={"request_id": request_id_var.get()},
    )


def record_lost_log_events(count):
    """Count log lines that could not be shipped to CloudWatch Logs."""
    emit({"LogEventsLost": (count, "Count")}, dimensions={"Role": current_role()})
