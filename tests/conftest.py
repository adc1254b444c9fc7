"""Fixtures shared by the StockWiz tests.

The tests run on the real PostgreSQL and Redis named by DATABASE_URL and
REDIS_URL (see scripts/test). A skipped test fails the run: nothing here is
optional on the real services.
"""

import contextlib

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory import services as stock_services
from products import services as product_services

# The groups the data migration creates, re-created after tests that flush
# the database (transactional tests empty every table).
GROUP_PERMISSIONS = {
    "viewers": ["view_product", "view_stock", "view_movement"],
    "catalog_editors": [
        "view_product",
        "view_stock",
        "view_movement",
        "add_product",
        "change_product",
        "delete_product",
    ],
    "stock_managers": [
        "view_product",
        "view_stock",
        "view_movement",
        "add_stock",
        "change_stock",
        "delete_stock",
    ],
}


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        reporter.write_line("skipped tests are failures here", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow on purpose; the tests log in many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache; caching is on only for tests
    that ask for it (they need real commits: see ``shared_cache``)."""
    cache.clear()
    settings.SHARED_CACHE = False
    yield
    # A test may have pointed the cache at an unreachable server.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def shared_cache(settings, transactional_db):
    """Caching through the real Redis, with real commits so that the
    invalidation that runs after commit runs."""
    settings.SHARED_CACHE = True
    ensure_groups()
    return cache


def ensure_groups():
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))


def make_user(username, *groups, superuser=False):
    ensure_groups()
    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_superuser=superuser
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def client_for(user):
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def viewer(db):
    return client_for(make_user("viewer", "viewers"))


@pytest.fixture
def editor(db):
    return client_for(make_user("editor", "catalog_editors"))


@pytest.fixture
def manager(db):
    return client_for(make_user("manager", "stock_managers"))


@pytest.fixture
def admin(db):
    return client_for(make_user("root", superuser=True))


@pytest.fixture
def nobody(db):
    """Authenticated, but in no group."""
    return client_for(make_user("nobody"))


@pytest.fixture
def product(db):
    return product_services.product_create(
        name="Mechanical keyboard", price="89.00", sku="KB-1", category="peripherals"
    )


@pytest.fixture
def stock(product):
    return stock_services.stock_create(
        product_id=product.pk, warehouse="north", quantity=10, reorder_point=3
    )


def assert_error(response, status, code, *fields):
    """The one error shape: detail, code, and errors naming ``fields``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str)
    assert body["detail"]
    for field in fields:
        assert field in body["errors"], body
    if not fields:
        assert "errors" not in body or body["errors"]
    return body
