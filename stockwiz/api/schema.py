"""OpenAPI schema views and additions: the one error shape, documented on
every operation."""

from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView


def schema_view(urlconf):
    """The OpenAPI schema of ``urlconf``; JSON unless YAML is asked for, so
    that errors come in the one JSON shape too."""
    return SpectacularAPIView.as_view(
        urlconf=urlconf,
        renderer_classes=[
            OpenApiJsonRenderer2,  # application/json
            OpenApiJsonRenderer,
            OpenApiYamlRenderer,
            OpenApiYamlRenderer2,
        ],
    )


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error StockWiz answers with.",
    "properties": {
        "detail": {"type": "string", "description": "A human sentence."},
        "code": {"type": "string", "description": "A stable snake_case code."},
        "errors": {
            "type": "object",
            "description": "Validation failures: field name to messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "meta": {
            "type": "object",
            "description": "Numbers behind a domain error, such as the "
            "available quantity.",
        },
    },
    "required": ["detail", "code"],
}

ERROR_STATUSES = {
    "400": "Invalid input.",
    "401": "No or bad credentials.",
    "403": "Missing permission.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "409": "Conflict with the current state.",
    "415": "The body is not JSON.",
    "429": "Rate limited; see Retry-After.",
    "502": "An upstream service cannot be reached (gateway).",
    "504": "An upstream service did not answer in time (gateway).",
}


def drop_trailing_slash_aliases(endpoints):
    """drf-spectacular preprocessing hook: every path is also served with a
    trailing slash (see ``stockwiz.api.routes.route``); document it once."""
    return [endpoint for endpoint in endpoints if not endpoint[0].endswith("/")]


def _page_of(items_schema):
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "nullable": True},
            "previous": {"type": "string", "nullable": True},
            "results": items_schema,
        },
        "required": ["count", "next", "previous", "results"],
    }


def _document_pages(operation):
    """A list answers a plain array, or a page object when ``limit`` or
    ``offset`` is given."""
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    if "limit" not in names:
        return
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    for media in content.values():
        schema = media.get("schema", {})
        if schema.get("type") == "array":
            media["schema"] = {"oneOf": [schema, _page_of(schema)]}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document pages and the error
    shape on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            _document_pages(operation)
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
