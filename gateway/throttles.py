"""Rate limits of the gateway: per client address and per credential."""

import hashlib

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class AddressThrottle(SimpleRateThrottle):
    scope = "gateway_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class CredentialThrottle(SimpleRateThrottle):
    """Per API token or login session, whichever the request carries."""

    scope = "gateway_user"

    def get_cache_key(self, request, view):
        credential = request.headers.get("Authorization") or request.COOKIES.get(
            settings.SESSION_COOKIE_NAME
        )
        if not credential:
            return None
        ident = hashlib.sha256(credential.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


THROTTLES = (AddressThrottle, CredentialThrottle)
