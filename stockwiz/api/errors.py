"""The one error shape every StockWiz role answers with.

``{"detail": "<sentence>", "code": "<snake_case>", "errors": {field: [...]}}``;
``errors`` only for validation failures, ``meta`` only where a domain error
carries numbers a client can act on (such as the available quantity).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from stockwiz.errors import DomainError

logger = logging.getLogger(__name__)

_CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def error_body(detail, code, *, errors=None, meta=None):
    body = {"detail": str(detail), "code": code}
    if errors:
        body["errors"] = errors
    if meta:
        body["meta"] = meta
    return body


def _flatten(detail):
    """DRF validation detail as ``{field: [messages]}`` with plain strings."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(message) for message in detail]}
    flat = {}
    for field, messages in detail.items():
        if isinstance(messages, dict):
            for inner, value in _flatten(messages).items():
                flat[f"{field}.{inner}"] = value
        elif isinstance(messages, list):
            flat[field] = [str(message) for message in messages]
        else:
            flat[field] = [str(messages)]
    return flat


def _validation_sentence(errors):
    fields = [field for field in errors if field != "non_field_errors"]
    if not fields:
        return next(iter(errors.values()))[0]
    return f"Invalid input: {', '.join(fields)}."


def _is_connection_failure(exc):
    """A lost or refused database connection, as opposed to a bad query."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    # Lock timeouts and the like are OperationalErrors too, but the server
    # answered; only a connection that failed means "unavailable".
    connection_errors = ("connection", "server closed", "shutting down", "terminating")
    return any(word in str(exc).lower() for word in connection_errors)


def api_exception_handler(exc, context):
    """DRF exception handler answering every error in the one shape."""
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.detail, exc.code, errors=exc.errors, meta=exc.meta),
            status=exc.status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DatabaseError) and _is_connection_failure(exc):
        logger.warning("database unavailable", extra={"error": type(exc).__name__})
        return Response(
            error_body(
                "The database is not reachable right now; retry shortly.",
                "database_unavailable",
            ),
            status=503,
            headers={"Retry-After": "2"},
        )
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: let Django log it and answer 500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = error_body(
            _validation_sentence(errors), "validation_error", errors=errors
        )
    elif isinstance(exc, exceptions.ParseError):
        body = error_body(
            "Request body is not valid JSON.",
            "malformed_json",
            errors={"body": [str(exc.detail)]},
        )
    else:
        code = _CODES.get(type(exc), getattr(exc, "default_code", "error"))
        body = error_body(exc.detail, code)
    return Response(body, status=exc.status_code, headers=headers)


def json_error(detail, code, status_code, **extra):
    return JsonResponse(error_body(detail, code, **extra), status=status_code)


def not_found(request, exception=None):
    return json_error("Not found.", "not_found", status.HTTP_404_NOT_FOUND)


def bad_request(request, exception=None):
    return json_error("Bad request.", "bad_request", 400)


def permission_denied(request, exception=None):
    return json_error(
        "You do not have permission to perform this action.",
        "permission_denied",
        403,
    )


def server_error(request):
    return json_error(
        "Internal server error; quote the X-Request-ID header when reporting it.",
        "server_error",
        500,
    )


def csrf_failure(request, reason=""):
    return json_error(f"CSRF check failed: {reason}", "csrf_failed", 403)
