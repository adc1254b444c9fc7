"""Versioned read caching that is never stale after a committed write.

Each cached answer is stored with the *versions* of the data it was built
from (``products``, ``inventory``), read before the data was. A write bumps
the version of what it changed once its transaction commits, so every later
read finds its entry out of date, whichever role, admin page or command made
the write. A read fetches the versions and the entry in one round trip.

Caching is on only with a shared cache (Redis): an in-process cache cannot
see the writes of other processes, so it would serve stale answers.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

PRODUCTS = "products"
INVENTORY = "inventory"


def _version_key(namespace):
    return f"version:{namespace}"


def enabled():
    return settings.SHARED_CACHE


def bump(namespace):
    """Invalidate every cached answer built from ``namespace`` now."""
    key = _version_key(namespace)
    # A version starts from the clock, so that one lost from the cache and
    # created again can never repeat a value an old entry was stored with.
    try:
        if cache.add(key, time.time_ns(), timeout=None):
            return
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 (cache down: nothing is served from it)
        logger.warning("cache bump failed", extra={"namespace": namespace})


def bump_on_commit(*namespaces):
    """Bump ``namespaces`` after the current transaction commits."""
    if not enabled():
        return
    for namespace in namespaces:
        transaction.on_commit(lambda ns=namespace: bump(ns), robust=True)


class Entry:
    """One cached answer: ``value`` when it is up to date, else None;
    ``save(value)`` stores a new one with the versions read before it."""

    def __init__(self, key=None, versions=None, value=None):
        self.key = key
        self.versions = versions
        self.value = value

    def save(self, value):
        if self.key is None:
            return
        try:
            cache.set(
                self.key, (self.versions, value), timeout=settings.CACHE_TTL_SECONDS
            )
        except Exception:  # noqa: BLE001 (cache down: nothing is stored)
            logger.warning("cache write failed")


def read(namespaces, key_parts):
    """The cache entry for an answer built from ``namespaces``.

    Read it before reading the data: an answer built from data read before
    a write is then stored with the versions that write replaced, and never
    served. Caching off or the cache unreachable gives an empty entry.
    """
    if not enabled():
        return Entry()
    raw = "|".join(str(part) for part in key_parts)
    key = "answer:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    version_keys = [_version_key(ns) for ns in namespaces]
    try:
        found = cache.get_many([*version_keys, key])
    except Exception:  # noqa: BLE001 (cache down: compute every time)
        logger.warning("cache read failed")
        return Entry()
    versions = tuple(found.get(version_key, 0) for version_key in version_keys)
    stored = found.get(key)
    fresh = stored is not None and stored[0] == versions
    return Entry(key, versions, stored[1] if fresh else None)


def cached(namespaces, key_parts, compute):
    """``compute()``'s value, cached until a write changes ``namespaces``.

    With the cache unreachable the value is computed every time: slower,
    never wrong.
    """
    entry = read(namespaces, key_parts)
    if entry.value is None:
        entry.value = compute()
        entry.save(entry.value)
    return entry.value
