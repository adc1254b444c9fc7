"""How the gateway reaches the product and inventory services.

Two implementations of one interface: ``RemoteUpstream`` speaks HTTP to a
separate process (ROLE=gateway), ``LocalUpstream`` runs the same request
through this process's own Django handler (ROLE=all). Everything above this
module (forwarding, joins, health) is written once against the interface.
"""

import concurrent.futures
import contextvars
import io
import json
import logging
import threading
import time
from dataclasses import dataclass, field

import urllib3

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.urls import get_urlconf, set_urlconf

from stockwiz.errors import DomainError

logger = logging.getLogger(__name__)

# Headers that describe one connection, not the message; never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class UpstreamUnavailable(DomainError):
    status = 502
    code = "upstream_unavailable"


class UpstreamTimeout(DomainError):
    status = 504
    code = "upstream_timeout"


@dataclass
class UpstreamResponse:
    status: int
    body: bytes
    headers: list = field(default_factory=list)

    def json(self):
        return json.loads(self.body)

    @property
    def ok(self):
        return 200 <= self.status < 300


class RemoteUpstream:
    """A service in another process, over pooled keep-alive HTTP."""

    def __init__(self, name, base_url, *, connect_timeout, read_timeout, pool_size):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.timeout = urllib3.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            total=connect_timeout + read_timeout,
        )
        self.pool = urllib3.PoolManager(num_pools=4, maxsize=pool_size, block=False)

    def request(self, method, path, *, query="", headers=None, body=b"", timeout=None):
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        # One retry, only when the connection could not be made and only for
        # methods that are safe to send twice.
        retries = urllib3.Retry(
            total=1 if method in IDEMPOTENT_METHODS else 0,
            connect=1 if method in IDEMPOTENT_METHODS else 0,
            read=0,
            status=0,
            other=0,
            redirect=False,
            raise_on_redirect=False,
            raise_on_status=False,
        )
        started = time.perf_counter()
        try:
            response = self.pool.request(
                method,
                url,
                body=body or None,
                headers=headers or {},
                retries=retries,
                timeout=timeout or self.timeout,
                redirect=False,
                decode_content=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            self._log(method, path, None, started, error=type(_cause(exc)).__name__)
            raise self._translate(exc) from exc
        self._log(method, path, response.status, started)
        return UpstreamResponse(
            status=response.status,
            body=response.data,
            headers=list(response.headers.items()),
        )

    def _translate(self, exc):
        cause = _cause(exc)
        # NewConnectionError (refused, unresolvable) subclasses the connect
        # timeout in urllib3, but nothing is slow: the service is not there.
        if isinstance(cause, urllib3.exceptions.NewConnectionError):
            return UpstreamUnavailable(f"The {self.name} service cannot be reached.")
        if isinstance(cause, urllib3.exceptions.TimeoutError):
            return UpstreamTimeout(f"The {self.name} service did not answer in time.")
        return UpstreamUnavailable(f"The {self.name} service cannot be reached.")

    def _log(self, method, path, status, started, error=None):
        logger.info(
            "upstream call",
            extra={
                "upstream": self.name,
                "upstream_method": method,
                "upstream_path": path,
                "upstream_status": status,
                "upstream_error": error,
                "upstream_duration_ms": round(
                    (time.perf_counter() - started) * 1000, 2
                ),
            },
        )


def _cause(exc):
    return getattr(exc, "reason", None) or exc


class _InProcessHandler(BaseHandler):
    """Django's request handling without the WSGI start/finish signals, so
    a nested request does not close the outer request's connection."""

    def __init__(self):
        super().__init__()
        self.load_middleware()


class LocalUpstream:
    """A service served by this very process (ROLE=all): no HTTP hop."""

    _handler = None
    _handler_lock = threading.Lock()

    def __init__(self, name, urlconf):
        self.name = name
        self.urlconf = urlconf

    @classmethod
    def handler(cls):
        with cls._handler_lock:
            if cls._handler is None:
                cls._handler = _InProcessHandler()
        return cls._handler

    def request(self, method, path, *, query="", headers=None, body=b"", timeout=None):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body or b""),
            "wsgi.url_scheme": "http",
            "CONTENT_LENGTH": str(len(body or b"")),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            else:
                environ[f"HTTP_{key}"] = value
        if environ.get("HTTP_X_FORWARDED_PROTO") == "https":
            environ["wsgi.url_scheme"] = "https"
        request = WSGIRequest(environ)
        # Resolve against the service's own URLconf: /health here is the
        # product service's, not the gateway's.
        request.urlconf = self.urlconf
        outer_urlconf = get_urlconf()
        try:
            response = self.handler().get_response(request)
        finally:
            set_urlconf(outer_urlconf)
        out_headers = list(response.items())
        out_headers += [
            ("Set-Cookie", morsel.OutputString())
            for morsel in response.cookies.values()
        ]
        return UpstreamResponse(
            status=response.status_code, body=response.content, headers=out_headers
        )


_executor = None
_executor_lock = threading.Lock()


def _shared_executor():
    # Created on first use, after gunicorn has forked the worker.
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=settings.UPSTREAM_POOL_SIZE,
                thread_name_prefix="upstream",
            )
    return _executor


def call_all(calls):
    """Run ``[(upstream, kwargs), ...]`` and return, in order, each
    ``UpstreamResponse`` or the ``DomainError`` it raised.

    Remote calls run concurrently; in-process calls run one after another on
    the request's own thread and database connection.
    """
    if all(isinstance(upstream, LocalUpstream) for upstream, _ in calls):
        return [_outcome(upstream.request, **kwargs) for upstream, kwargs in calls]
    # The first call runs on the request's own thread, the others in the
    # pool, each in a copy of this request's context so that its log lines
    # carry the request id.
    (first, first_kwargs), *others = calls
    futures = [
        _shared_executor().submit(
            contextvars.copy_context().run, _outcome, upstream.request, **kwargs
        )
        for upstream, kwargs in others
    ]
    return [
        _outcome(first.request, **first_kwargs),
        *(future.result() for future in futures),
    ]


def _outcome(request, **kwargs):
    try:
        return request(**kwargs)
    except DomainError as exc:
        return exc


_upstreams = None


def upstreams():
    """``{"product": ..., "inventory": ...}`` for this process's role."""
    global _upstreams
    if _upstreams is None:
        if settings.ROLE == "all":
            _upstreams = {
                "product": LocalUpstream("product", "stockwiz.urls.product"),
                "inventory": LocalUpstream("inventory", "stockwiz.urls.inventory"),
            }
        else:
            options = {
                "connect_timeout": settings.UPSTREAM_CONNECT_TIMEOUT,
                "read_timeout": settings.UPSTREAM_READ_TIMEOUT,
                "pool_size": settings.UPSTREAM_POOL_SIZE,
            }
            _upstreams = {
                "product": RemoteUpstream(
                    "product", settings.PRODUCT_SERVICE_URL, **options
                ),
                "inventory": RemoteUpstream(
                    "inventory", settings.INVENTORY_SERVICE_URL, **options
                ),
            }
    return _upstreams
