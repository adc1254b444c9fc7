"""Versioned read caching that is never stale after a committed write.

Each cached answer is stored under the current *version* of the data it was
built from (``products``, ``inventory``). A write bumps the version of what
it changed once its transaction commits, so every later read misses the old
entries, whichever role, admin page or command made the write. Old entries
simply expire.

Caching is on only with a shared cache (Redis): an in-process cache cannot
see the writes of other processes, so it would serve stale answers.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

PRODUCTS = "products"
INVENTORY = "inventory"
NAMESPACES = (PRODUCTS, INVENTORY)


def _version_key(namespace):
    return f"version:{namespace}"


def enabled():
    return settings.SHARED_CACHE


def bump(namespace):
    """Invalidate every cached answer built from ``namespace`` now."""
    key = _version_key(namespace)
    try:
        if cache.add(key, 1, timeout=None):
            return
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=None)
    except Exception:  # noqa: BLE001 (cache down: nothing is served from it)
        logger.warning("cache bump failed", extra={"namespace": namespace})


def bump_on_commit(*namespaces):
    """Bump ``namespaces`` after the current transaction commits."""
    if not enabled():
        return
    for namespace in namespaces:
        transaction.on_commit(lambda ns=namespace: bump(ns), robust=True)


def _versions(namespaces):
    keys = [_version_key(ns) for ns in namespaces]
    found = cache.get_many(keys)
    return ":".join(str(found.get(key, 0)) for key in keys)


def entry_key(namespaces, key_parts):
    """The cache key for an answer built from ``namespaces`` *now*, or None
    when caching is off or the cache cannot be reached.

    Take the key before reading the data: an answer built from data read
    before a write is then stored under the versions that write replaced.
    """
    if not enabled():
        return None
    raw = "|".join(str(part) for part in key_parts)
    digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    try:
        return f"answer:{_versions(namespaces)}:{digest}"
    except Exception:  # noqa: BLE001 (cache down: compute every time)
        logger.warning("cache read failed")
        return None


def lookup(key):
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("cache read failed")
        return None


def store(key, value):
    if key is None:
        return
    try:
        cache.set(key, value, timeout=settings.CACHE_TTL_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("cache write failed")


def cached(namespaces, key_parts, compute):
    """``compute()``'s value, cached under the versions of ``namespaces``.

    With the cache unreachable the value is computed every time: slower,
    never wrong.
    """
    key = entry_key(namespaces, key_parts)
    value = lookup(key)
    if value is None:
        value = compute()
        store(key, value)
    return value
