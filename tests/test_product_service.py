"""The product catalog API, end to end through the Django test client."""

from decimal import Decimal

import pytest

from django.core.cache import cache as django_cache

from products.models import Product
from products.services import product_update
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db

VALID = {"name": "Wireless mouse", "price": 24.5, "category": "peripherals"}


def test_health_answers_without_credentials(anonymous):
    """/health is public and names the service."""
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_health_answers_for_any_host(anonymous):
    """Load balancers probe a task by its private IP: /health and /ready
    answer whatever the Host, while other paths still check it."""
    assert anonymous.get("/health", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert anonymous.get("/ready", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert anonymous.get("/products", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_ready_reports_database_and_cache(anonymous):
    """/ready checks the database and the cache and says both are fine."""
    response = anonymous.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_ready_names_an_unreachable_cache(anonymous, settings):
    """/ready answers 503 naming the cache when Redis cannot be reached."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = anonymous.get("/ready")
    body = assert_error(response, 503, "dependency_unavailable")
    assert "cache" in body["detail"]
    assert body["meta"]["checks"]["database"] == "ok"


def test_list_requires_authentication(anonymous):
    """No credentials: 401 in the one error shape, with the auth scheme."""
    response = anonymous.get("/products")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_refused(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(anonymous.get("/products"), 401, "authentication_failed")


def test_user_without_group_cannot_read(nobody):
    """Authenticated but without the view permission: 403."""
    assert_error(nobody.get("/products"), 403, "permission_denied")


def test_viewer_cannot_write(viewer, product):
    assert_error(
        viewer.post("/products", VALID, format="json"), 403, "permission_denied"
    )
    assert_error(viewer.delete(f"/products/{product.pk}"), 403, "permission_denied")


def test_create_returns_the_product(editor):
    """POST creates a product; price is a JSON number; sku is optional."""
    response = editor.post("/products", VALID, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "sku",
        "name",
        "description",
        "price",
        "category",
        "created_at",
        "updated_at",
    }
    assert body["price"] == 24.5
    assert body["sku"] is None
    assert Product.objects.get(pk=body["id"]).price == Decimal("24.50")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**VALID, "price": -1}, "price"),
        ({**VALID, "price": 0}, "price"),
        ({**VALID, "price": "abc"}, "price"),
        ({**VALID, "price": 1.234}, "price"),
        ({**VALID, "price": 10**12}, "price"),
        ({**VALID, "name": "x" * 300}, "name"),
        ({**VALID, "name": ""}, "name"),
        ({"price": 5}, "name"),
        ({"name": "No price"}, "price"),
        ({**VALID, "category": "c" * 101}, "category"),
        ({**VALID, "name": None}, "name"),
        ({**VALID, "name": 42}, "name"),
        ({**VALID, "category": 7}, "category"),
        ({**VALID, "price": [12]}, "price"),
        ({**VALID, "price": True}, "price"),
    ],
)
def test_invalid_product_is_refused_and_nothing_written(editor, payload, field):
    """Each invalid field gets a 400 naming it; no product is written."""
    response = editor.post("/products", payload, format="json")
    assert_error(response, 400, "validation_error", field)
    assert Product.objects.count() == 0


def test_non_json_body_is_a_clear_400(editor):
    response = editor.generic(
        "POST", "/products", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "malformed_json", "body")
    assert Product.objects.count() == 0


def test_json_array_body_is_refused(editor):
    response = editor.post("/products", [VALID], format="json")
    assert_error(response, 400, "validation_error", "non_field_errors")


def test_form_encoded_body_is_unsupported(editor):
    response = editor.post("/products", VALID)  # multipart, not JSON
    assert_error(response, 415, "unsupported_media_type")


def test_duplicate_sku_is_a_conflict(editor, product):
    response = editor.post("/products", {**VALID, "sku": "KB-1"}, format="json")
    assert_error(response, 409, "duplicate_sku", "sku")
    assert Product.objects.count() == 1


def test_archived_products_free_their_sku(editor, product):
    assert editor.delete(f"/products/{product.pk}").status_code == 204
    response = editor.post("/products", {**VALID, "sku": "KB-1"}, format="json")
    assert response.status_code == 201


def test_list_is_a_plain_array_ordered_by_id(viewer, editor):
    assert viewer.get("/products").json() == []
    ids = [
        editor.post("/products", {**VALID, "name": f"item {n}"}, format="json").json()[
            "id"
        ]
        for n in range(3)
    ]
    assert [item["id"] for item in viewer.get("/products").json()] == ids


def test_list_filters_by_category_and_search(viewer, editor):
    editor.post(
        "/products",
        {**VALID, "name": "Blue cable", "category": "cables"},
        format="json",
    )
    editor.post(
        "/products", {**VALID, "name": "Red mouse", "sku": "RM-9"}, format="json"
    )
    cables = viewer.get("/products", {"category": "cables"}).json()
    assert [item["name"] for item in cables] == ["Blue cable"]
    assert [
        item["name"] for item in viewer.get("/products", {"search": "mouse"}).json()
    ] == ["Red mouse"]
    assert [
        item["name"] for item in viewer.get("/products", {"search": "rm-9"}).json()
    ] == ["Red mouse"]


def test_nul_character_in_a_filter_is_a_400(viewer):
    response = viewer.get("/products", {"search": "ab\x00c"})
    assert_error(response, 400, "validation_error", "search")


def test_limit_and_offset_return_a_page(viewer, editor):
    for n in range(5):
        editor.post("/products", {**VALID, "name": f"item {n}"}, format="json")
    page = viewer.get("/products", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5
    assert [item["name"] for item in page["results"]] == ["item 1", "item 2"]
    assert "offset=3" in page["next"]
    assert page["previous"] is not None


@pytest.mark.parametrize(
    "query", [{"limit": "abc"}, {"limit": 0}, {"offset": -1}, {"limit": 5000}]
)
def test_bad_paging_is_a_400(viewer, query):
    field = next(iter(query))
    assert_error(viewer.get("/products", query), 400, "validation_error", field)


def test_get_one_and_404(viewer, product):
    assert viewer.get(f"/products/{product.pk}").json()["sku"] == "KB-1"
    assert viewer.get(f"/products/{product.pk}/").status_code == 200
    assert_error(viewer.get("/products/999999"), 404, "not_found")
    assert_error(viewer.get("/products/99999999999999999999999"), 404, "not_found")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_changes_only_the_given_fields(editor, product, method):
    response = getattr(editor, method)(
        f"/products/{product.pk}", {"price": 99.9}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["price"] == 99.9
    assert response.json()["name"] == "Mechanical keyboard"


def test_empty_update_is_refused(editor, product):
    body = assert_error(
        editor.patch(f"/products/{product.pk}", {}, format="json"),
        400,
        "validation_error",
    )
    assert body["errors"]["non_field_errors"] == ["No fields to update."]


def test_update_to_a_taken_sku_conflicts(editor, product):
    other = editor.post("/products", {**VALID, "sku": "OTHER"}, format="json").json()
    response = editor.patch(f"/products/{other['id']}", {"sku": "KB-1"}, format="json")
    assert_error(response, 409, "duplicate_sku", "sku")


def test_update_of_missing_product_is_404(editor):
    assert_error(
        editor.patch("/products/4242", {"name": "x"}, format="json"), 404, "not_found"
    )


def test_delete_archives_and_keeps_history(editor, viewer, product):
    assert editor.delete(f"/products/{product.pk}").status_code == 204
    assert_error(viewer.get(f"/products/{product.pk}"), 404, "not_found")
    assert viewer.get("/products").json() == []
    assert Product.objects.get(pk=product.pk).archived_at is not None
    assert_error(editor.delete(f"/products/{product.pk}"), 404, "not_found")


def test_delete_with_stock_on_hand_conflicts(editor, stock):
    response = editor.delete(f"/products/{stock.product_id}")
    body = assert_error(response, 409, "stock_on_hand")
    assert body["meta"]["quantity"] == 10
    assert Product.objects.active().filter(pk=stock.product_id).exists()


def test_unknown_path_is_a_json_404(viewer):
    assert_error(viewer.get("/no-such-thing"), 404, "not_found")


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_wrong_method_on_health_is_a_json_405(anonymous, path):
    response = anonymous.post(path)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_schema_errors_are_json(anonymous):
    response = anonymous.get("/products/schema/")
    assert response["Content-Type"].startswith("application/json")
    assert_error(response, 401, "not_authenticated")


def test_method_not_allowed(editor):
    assert_error(editor.delete("/products"), 405, "method_not_allowed")


def test_request_id_is_echoed_or_generated(viewer):
    assert (
        viewer.get("/products", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"]
        == "abc-123"
    )
    generated = viewer.get("/products", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(generated["X-Request-ID"]) == 32


def test_product_schema_is_openapi(viewer):
    response = viewer.get("/products/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/products/{product_id}" in schema["paths"]


class TestCaching:
    """Reads come from Redis and are never stale after a committed write."""

    def test_read_after_write_is_fresh(self, shared_cache, transactional_db):
        from tests.conftest import client_for, make_user

        editor = client_for(make_user("ed", "catalog_editors"))
        created = editor.post("/products", VALID, format="json").json()
        assert [p["name"] for p in editor.get("/products").json()] == ["Wireless mouse"]
        assert any(key for key in django_cache._cache.get_client().keys("*answer*"))

        editor.patch(f"/products/{created['id']}", {"name": "Renamed"}, format="json")
        assert editor.get(f"/products/{created['id']}").json()["name"] == "Renamed"
        assert [p["name"] for p in editor.get("/products").json()] == ["Renamed"]

    def test_write_outside_the_api_invalidates(self, shared_cache, transactional_db):
        """A change made by a service call or model save (admin, commands)
        is seen by the next read."""
        from tests.conftest import client_for, make_user

        viewer = client_for(make_user("vw", "viewers"))
        product = Product.objects.create(name="Cable", price=Decimal("5.00"))
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Cable"

        product_update(product_id=product.pk, name="Long cable")
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Long cable"

        product.refresh_from_db()
        product.price = Decimal("7.00")
        product.save()
        assert viewer.get(f"/products/{product.pk}").json()["price"] == 7.0

    def test_cached_answer_is_served_from_redis(self, shared_cache, transactional_db):
        """A second read is answered from the cache: changing the row
        behind the cache's back (no signal, no commit hook) is not seen,
        which proves the answer came from Redis."""
        from tests.conftest import client_for, make_user

        viewer = client_for(make_user("vw2", "viewers"))
        product = Product.objects.create(name="Cable", price=Decimal("5.00"))
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Cable"
        Product.objects.filter(pk=product.pk).update(name="Changed behind")
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Cable"

    def test_evicted_version_never_revives_an_old_answer(
        self, shared_cache, transactional_db
    ):
        """If Redis drops a version counter, entries stored under it are out
        of date, and the counter restarts above every earlier value."""
        from stockwiz import cache as versioned
        from tests.conftest import client_for, make_user

        viewer = client_for(make_user("vw3", "viewers"))
        product = Product.objects.create(name="Cable", price=Decimal("5.00"))
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Cable"
        before = django_cache.get("version:products")

        django_cache.delete("version:products")
        Product.objects.filter(pk=product.pk).update(name="Changed")
        assert viewer.get(f"/products/{product.pk}").json()["name"] == "Changed"

        versioned.bump(versioned.PRODUCTS)
        assert django_cache.get("version:products") > before

    def test_page_count_is_cached_until_a_write(self, shared_cache, transactional_db):
        """The total of a paged list is counted once per version of the
        data, and a write makes the next page count again."""
        from stockwiz import cache as versioned
        from tests.conftest import client_for, make_user

        viewer = client_for(make_user("vw4", "viewers"))
        Product.objects.bulk_create(Product(name=f"p{n}", price=1) for n in range(3))
        versioned.bump(versioned.PRODUCTS)
        assert viewer.get("/products", {"limit": 1}).json()["count"] == 3
        Product.objects.bulk_create([Product(name="hidden", price=1)])  # no bump
        assert viewer.get("/products", {"limit": 2}).json()["count"] == 3
        versioned.bump(versioned.PRODUCTS)
        assert viewer.get("/products", {"limit": 2}).json()["count"] == 4
