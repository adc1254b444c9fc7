"""Property-based fuzzing of each role's OpenAPI schema with schemathesis.

Generated requests, valid and invalid (wrong types, huge numbers, unicode,
malformed bodies), go through the full Django stack with a valid token.
No answer may be a 5xx, and every answer must match the schema, the error
shape included. The number of examples is bounded to keep CI fast.
"""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from inventory import services as stock_services
from products.services import product_create
from tests.conftest import make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
# Schema-valid requests may still be refused for business reasons a schema
# cannot express (an id that does not exist, a transfer to the same
# warehouse, a zero delta), so "valid data is accepted" is not checked.
EXCLUDED_CHECKS = [checks.positive_data_acceptance]


def call_and_check(case, headers):
    case.call_and_validate(
        app=APP,
        base_url="http://localhost",
        headers=headers,
        excluded_checks=EXCLUDED_CHECKS,
    )


APP = get_wsgi_application()


def load_schema(urlconf):
    raw = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=float)))
    # Follow-up requests some checks make go to the same in-process app.
    schema.app = APP
    schema.config.generation.update(
        modes=list(schemathesis.GenerationMode), max_examples=EXAMPLES
    )
    return schema


product_schema = load_schema("stockwiz.urls.product_api")
inventory_schema = load_schema("stockwiz.urls.inventory_api")
public_schema = load_schema("stockwiz.urls.public_api").include(
    path_regex="^/api/products-full"
)


@pytest.fixture
def auth_headers(transactional_db):
    """A superuser's token, and a little data so some ids exist."""
    user = make_user("fuzzer", superuser=True)
    product = product_create(name="Fuzzed", price="1.00", sku="FZ-1")
    stock_services.stock_create(product_id=product.pk, warehouse="main", quantity=5)
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


# The token fixture is shared by all examples of one operation on purpose.
FUZZ_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
    max_examples=EXAMPLES,
)


@product_schema.parametrize()
@FUZZ_SETTINGS
def test_product_api_under_fuzzing(case, auth_headers):
    call_and_check(case, auth_headers)


@inventory_schema.parametrize()
@FUZZ_SETTINGS
def test_inventory_api_under_fuzzing(case, auth_headers):
    call_and_check(case, auth_headers)


@public_schema.parametrize()
@FUZZ_SETTINGS
def test_gateway_join_under_fuzzing(case, auth_headers):
    call_and_check(case, auth_headers)
