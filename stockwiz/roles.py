"""The process roles one StockWiz image can run.

A role decides which URLconf a process serves; ``migrate`` serves nothing and
is handled by ``deploy/entrypoint.sh``.
"""

from django.core.exceptions import ImproperlyConfigured

WEB_ROLES = ("product", "inventory", "gateway", "all")
ROLES = (*WEB_ROLES, "migrate")

# Service name reported by /health, kept from the HTTP contract.
SERVICE_NAMES = {
    "product": "product-service",
    "inventory": "inventory-service",
    "gateway": "api-gateway",
    "all": "api-gateway",
    "migrate": "migrate",
}


def validate_role(role):
    """Return ``role`` if it is known, else stop start-up naming the valid ones."""
    if role not in ROLES:
        raise ImproperlyConfigured(
            f"Unknown ROLE {role!r}; valid roles are: {', '.join(ROLES)}."
        )
    return role


def urlconf_for(role):
    """Name of the URLconf module a role serves (``migrate`` gets the full one)."""
    return f"stockwiz.urls.{'all' if role == 'migrate' else role}"
