"""Rate limits of the gateway: per client address and per credential.

Each limit counts requests in fixed windows (``1200/min``: at most 1,200 in
each clock minute) with atomic increments, both limits in one cache round
trip. DRF's own throttles keep a list of timestamps per client that is read
and rewritten whole on every request; at a thousand requests a minute that
list costs the gateway more CPU than forwarding the request.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """``"1200/min"`` as ``(1200, 60)``."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def _increment(keys, ttl):
    """Add one to each counter and return the new counts."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        # One pipelined round trip; Django's cache API would take two per key.
        client = backend._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for key in keys:
            full_key = backend.make_and_validate_key(key)
            pipe.incr(full_key)
            pipe.expire(full_key, ttl, nx=True)
        return pipe.execute()[::2]
    counts = []
    for key in keys:
        cache.add(key, 0, timeout=ttl)
        counts.append(cache.incr(key))
    return counts


class GatewayThrottle(BaseThrottle):
    """Both gateway limits: ``gateway_address`` for every request and
    ``gateway_user`` for requests that carry a token or a session."""

    THROTTLE_RATES = None  # the REST_FRAMEWORK setting unless set here

    def __init__(self):
        self._wait = None

    def rates(self):
        return self.THROTTLE_RATES or api_settings.DEFAULT_THROTTLE_RATES

    def counters(self, request, now):
        """``(key, limit, window end)`` of each limit that applies."""
        idents = [("gateway_address", self.get_ident(request))]
        credential = request.headers.get("Authorization") or request.COOKIES.get(
            settings.SESSION_COOKIE_NAME
        )
        if credential:
            digest = hashlib.sha256(credential.encode()).hexdigest()[:32]
            idents.append(("gateway_user", digest))
        counters = []
        for scope, ident in idents:
            limit, period = parse_rate(self.rates()[scope])
            window = int(now // period)
            key = f"throttle:{scope}:{ident}:{window}"
            counters.append((key, limit, (window + 1) * period, period))
        return counters

    def allow_request(self, request, view):
        now = time.time()
        counters = self.counters(request, now)
        longest = max(period for *_, period in counters)
        try:
            counts = _increment([key for key, *_ in counters], ttl=longest)
        except Exception:  # noqa: BLE001 (a cache outage must not stop traffic)
            logger.warning("rate limit not checked: cache unavailable")
            return True
        for (_, limit, window_end, _), count in zip(counters, counts, strict=True):
            if count > limit:
                self._wait = window_end - now
                return False
        return True

    def wait(self):
        return self._wait


THROTTLES = (GatewayThrottle,)
