"""Request id propagation and the one access-log line per request."""

import logging
import re
import time
import uuid

from django.urls import resolve

from stockwiz import metrics
from stockwiz.api.errors import json_error
from stockwiz.logging import request_id_var

logger = logging.getLogger("stockwiz.request")

# A client's id is kept only if it is short and harmless in a log line.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(request):
    """The client's ``X-Request-ID`` when valid, else a new random one."""
    candidate = request.headers.get("X-Request-ID", "")
    if _VALID_REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Tags the request with an id, returns it, and logs the request once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_from(request)
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            self._log(request, response.status_code, started)
            metrics.record_request(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    @staticmethod
    def _log(request, status, started):
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        level = logging.ERROR if status >= 500 else logging.INFO
        logger.log(
            level,
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": user_id,
            },
        )


class HealthCheckMiddleware:
    """Answers /health and /ready before the host is checked.

    Load balancer and container health checks address a task by its private
    IP, which changes with every task and cannot be listed in ALLOWED_HOSTS.
    These two endpoints reveal nothing and use no host, so they are served
    here, ahead of the middleware that validates the Host header.
    """

    PATHS = ("/health", "/ready")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in self.PATHS and request.method in ("GET", "HEAD"):
            match = resolve(request.path_info, getattr(request, "urlconf", None))
            return match.func(request)
        return self.get_response(request)


class ErrorShapeMiddleware:
    """Gives an error answer that Django made outside the API views (such as
    a 405 from a view decorator) the one JSON error shape, on API paths."""

    API_PREFIXES = ("/api/", "/products", "/inventory", "/health", "/ready")
    PAGES = ("/api/docs/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
            or not request.path.startswith(self.API_PREFIXES)
            or request.path.startswith(self.PAGES)
        ):
            return response
        reason = response.reason_phrase or "Error"
        shaped = json_error(
            f"{reason}.", reason.lower().replace(" ", "_"), response.status_code
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
