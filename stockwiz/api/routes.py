"""URL helpers: ids as bounded integers, and paths with or without a
trailing slash (clients of the earlier system use both)."""

from django.urls import path, register_converter


class IdConverter:
    """A database id: at most 18 digits, so it always fits a bigint."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


def route(pattern, view, name):
    """``pattern`` and ``pattern/``, both served by ``view``."""
    return [path(pattern, view, name=name), path(f"{pattern}/", view)]
