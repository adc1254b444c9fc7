"""Plain JSON arrays by default; a page object when ``limit``/``offset`` ask."""

import re
from urllib.parse import urlsplit, urlunsplit

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from stockwiz import cache

MAX_LIMIT = 1000
# The path the gateway serves a service under (``/api``), sent as
# X-Forwarded-Prefix, so that page links point where the client can follow.
_VALID_PREFIX = re.compile(r"^(/[A-Za-z0-9_-]+)+$")


def with_path(url, path):
    """``url`` with its path replaced by ``path``."""
    return urlunsplit(urlsplit(url)._replace(path=path))


def public_link(request, url):
    """A page link as the client sees it: under the gateway's prefix."""
    prefix = request.headers.get("X-Forwarded-Prefix", "")
    if url is None or not _VALID_PREFIX.match(prefix):
        return url
    return with_path(url, prefix + urlsplit(url).path)


def _non_negative_int(request, name, *, minimum=0, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["Must be a whole number."]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ValidationError({name: [f"Must be at least {minimum}{upper}."]})
    return value


def paging_parameters():
    """OpenAPI parameters for ``limit`` and ``offset``."""
    from drf_spectacular.utils import OpenApiParameter

    return [
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            description="Page size; asks for a page object instead of a list.",
        ),
        OpenApiParameter(
            "offset",
            {"type": "integer", "minimum": 0},
            description="Items to skip; asks for a page object instead of a list.",
        ),
    ]


class OptionalLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = MAX_LIMIT
    count_cached_in = ()

    def get_count(self, queryset):
        if not self.count_cached_in:
            return super().get_count(queryset)
        sql, params = queryset.query.sql_with_params()
        return cache.cached(
            self.count_cached_in, ("count", sql, params), queryset.count
        )

    def paginate_queryset(self, queryset, request, view=None):
        limit = _non_negative_int(request, "limit", minimum=1, maximum=MAX_LIMIT)
        offset = _non_negative_int(request, "offset")
        if limit is None and offset is None:
            return None
        return super().paginate_queryset(queryset, request, view)

    def get_next_link(self):
        return public_link(self.request, super().get_next_link())

    def get_previous_link(self):
        return public_link(self.request, super().get_previous_link())
