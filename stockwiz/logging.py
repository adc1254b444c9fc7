"""One JSON object per log line, tagged with the role and the request id."""

import contextvars
import logging
import os

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

# The id of the request this thread is serving; "-" outside a request.
request_id_var = contextvars.ContextVar("request_id", default="-")


def current_role():
    # Read from the environment, not settings: gunicorn's own log lines are
    # written before Django is set up.
    return os.environ.get("ROLE", "all")


class RequestContextFilter(logging.Filter):
    """Adds ``role`` and ``request_id`` to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "role"):
            record.role = current_role()
        return True


class JsonFormatter(_BaseJsonFormatter):
    """JSON lines with ``time``, ``level``, ``logger`` and ``message`` first."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt", "{asctime}{levelname}{name}{message}{role}{request_id}"
        )
        kwargs.setdefault("style", "{")
        kwargs.setdefault(
            "rename_fields",
            {"asctime": "time", "levelname": "level", "name": "logger"},
        )
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)


def json_logging_config(level, loggers=None):
    """A ``dictConfig`` that writes JSON lines to stdout, shared by Django's
    settings and gunicorn's own configuration."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "stockwiz.logging.RequestContextFilter"}},
        "formatters": {"json": {"()": "stockwiz.logging.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": loggers or {},
    }
