"""Fast JSON answers, with the rendered bytes cached where they may be."""

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

from stockwiz import cache

_renderer = JSONRenderer()


def render_json(data):
    return _renderer.render(data)


def json_response(body, *, status=200):
    """An answer from already rendered JSON bytes."""
    return HttpResponse(body, status=status, content_type="application/json")


def cached_json_response(request, namespaces, compute):
    """Render ``compute()`` as JSON, cached per full URL under the versions
    of ``namespaces`` (see ``stockwiz.cache``)."""
    body = cache.cached(
        namespaces,
        ("json", request.get_host(), request.get_full_path()),
        lambda: render_json(compute()),
    )
    return json_response(body)


def isoformat(value):
    """Timestamps as the API shows them: ISO 8601, UTC as ``Z``."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
