"""Liveness and readiness endpoints of the product and inventory roles."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stockwiz.api.errors import error_body

logger = logging.getLogger(__name__)


def health_view(service):
    """Liveness view of ``service``: the process answers. No database."""

    @never_cache
    @require_GET
    def health(request):
        return JsonResponse({"status": "healthy", "service": service})

    return health


def dependency_checks():
    """``{name: "ok" | "<error>"}`` for the database and the cache."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 (any failure means not ready)
        checks["database"] = type(exc).__name__
    try:
        cache.set("ready-probe", "1", timeout=5)
        checks["cache"] = "ok" if cache.get("ready-probe") == "1" else "no answer"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = type(exc).__name__
    return checks


@never_cache
@require_GET
def ready(request):
    """Readiness: 503 naming each dependency that cannot be reached."""
    checks = dependency_checks()
    failing = sorted(name for name, state in checks.items() if state != "ok")
    if not failing:
        return JsonResponse(
            {"status": "ready", "service": settings.SERVICE_NAME, "checks": checks}
        )
    logger.warning("not ready", extra={"failing": failing})
    body = error_body(
        f"Not ready: cannot reach the {' and the '.join(failing)}.",
        "dependency_unavailable",
        meta={"checks": checks},
    )
    return JsonResponse(body, status=503)
