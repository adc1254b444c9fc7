"""The gateway in one process (ROLE=all): joins, forwarding, caching, rate
limits, security headers, schema, docs, dashboard pages and the admin."""

import re

import pytest

from django.test import Client

from gateway import throttles
from gateway.upstream import LocalUpstream, upstreams
from inventory import services as stock_services
from inventory.models import Movement, Stock
from products.models import Product
from products.services import product_create
from stockwiz import cache as shared_cache_module
from tests.conftest import assert_error, client_for, make_user

pytestmark = pytest.mark.django_db


def test_gateway_health_reports_both_services(anonymous):
    body = anonymous.get("/health").json()
    assert body == {
        "status": "healthy",
        "service": "api-gateway",
        "downstream_services": {
            "product_service": "healthy",
            "inventory_service": "healthy",
        },
    }


def test_all_role_serves_the_api_in_process():
    assert all(isinstance(up, LocalUpstream) for up in upstreams().values())


def test_product_with_inventory_summary(viewer, stock):
    stock_services.stock_create(
        product_id=stock.product_id, warehouse="south", quantity=30
    )
    body = viewer.get(f"/api/products/{stock.product_id}").json()
    assert body["inventory"] == {"quantity": 40, "warehouse": "south"}
    assert body["sku"] == "KB-1"


def test_product_without_stock_has_null_inventory(viewer, product):
    assert viewer.get(f"/api/products/{product.pk}").json()["inventory"] is None


def test_missing_product_passes_the_404_through(viewer):
    assert_error(viewer.get("/api/products/123456"), 404, "not_found")


def test_products_full_joins_every_product(viewer, stock):
    lonely = product_create(name="No stock", price="1.00")
    response = viewer.get("/api/products-full")
    assert response.status_code == 200
    assert "X-Degraded" not in response
    by_id = {item["id"]: item for item in response.json()}
    assert by_id[stock.product_id]["inventory"] == {
        "quantity": 10,
        "warehouse": "north",
    }
    assert by_id[lonely.pk]["inventory"] is None


def test_products_full_page_and_filters(viewer, stock):
    product_create(name="Cable", price="2.00", category="cables")
    page = viewer.get("/api/products-full", {"limit": 1}).json()
    assert page["count"] == 2
    assert page["next"] == "http://testserver/api/products-full?limit=1&offset=1"
    forwarded = viewer.get("/api/products", {"limit": 1}).json()
    assert forwarded["next"] == "http://testserver/api/products?limit=1&offset=1"
    direct = viewer.get("/products", {"limit": 1}).json()
    assert direct["next"] == "http://testserver/products?limit=1&offset=1"
    assert page["results"][0]["inventory"]["quantity"] == 10
    cables = viewer.get("/api/products-full", {"category": "cables"}).json()
    assert [item["name"] for item in cables] == ["Cable"]


def test_products_full_needs_both_view_permissions(nobody, anonymous):
    assert_error(anonymous.get("/api/products-full"), 401, "not_authenticated")
    assert_error(nobody.get("/api/products-full"), 403, "permission_denied")


def test_products_full_bad_flag_is_400(viewer):
    response = viewer.get("/api/products-full", {"force_refresh": "perhaps"})
    assert_error(response, 400, "validation_error", "force_refresh")


def test_products_full_makes_two_calls_whatever_the_size(viewer, monkeypatch):
    """One call per service for 10 products and for 1,000."""
    calls = []
    for upstream in upstreams().values():
        original = upstream.request

        def counting(*args, _original=original, _name=upstream.name, **kwargs):
            calls.append((_name, kwargs["path"]))
            return _original(*args, **kwargs)

        monkeypatch.setattr(upstream, "request", counting)

    counts = []
    for size in (10, 1000):
        Product.objects.bulk_create(
            Product(name=f"p{size}-{n}", price=1) for n in range(size)
        )
        calls.clear()
        assert viewer.get("/api/products-full?force_refresh=true").status_code == 200
        counts.append(sorted(calls))
    assert (
        counts[0]
        == counts[1]
        == [("inventory", "/inventory"), ("product", "/products")]
    )


def test_forwarded_writes_reach_the_services(manager, editor, product):
    created = editor.post(
        "/api/products", {"name": "Via gateway", "price": 3}, format="json"
    )
    assert created.status_code == 201
    row = manager.post(
        "/api/inventory",
        {"product_id": created.json()["id"], "warehouse": "w1", "quantity": 5},
        format="json",
    )
    assert row.status_code == 201
    adjusted = manager.post(
        f"/api/inventory/{row.json()['id']}/adjust",
        {"delta": -6, "reason": "sale"},
        format="json",
    )
    assert_error(adjusted, 409, "insufficient_stock")


def test_forwarded_request_id_is_recorded_on_the_movement(manager, stock):
    manager.post(
        f"/api/inventory/{stock.pk}/adjust",
        {"delta": 1, "reason": "receipt"},
        format="json",
        HTTP_X_REQUEST_ID="gw-trace-1",
    )
    assert Movement.objects.filter(stock=stock).first().request_id == "gw-trace-1"


def test_unauthenticated_api_call_is_401_through_the_gateway(anonymous):
    response = anonymous.get("/api/inventory")
    assert_error(response, 401, "not_authenticated")


def test_unknown_api_path_is_404(viewer):
    assert_error(viewer.get("/api/widgets"), 404, "not_found")


def test_session_writes_need_the_csrf_token(product):
    """A dashboard (session) write without the CSRF token is refused; with
    it, it goes through."""
    make_user("browser", "catalog_editors")
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # sets the CSRF cookie
    assert client.login(username="browser", password="a-long-test-password")
    refused = client.patch(
        f"/api/products/{product.pk}", {"name": "x"}, content_type="application/json"
    )
    assert refused.status_code == 403
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        f"/api/products/{product.pk}",
        {"name": "Renamed"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 200


def test_rate_limit_answers_429_with_retry_after(viewer, monkeypatch):
    """Past the per-credential limit the gateway answers 429 with
    Retry-After, before asking any service."""
    monkeypatch.setattr(
        throttles.GatewayThrottle,
        "THROTTLE_RATES",
        {"gateway_user": "3/hour", "gateway_address": "1000/hour"},
    )
    statuses = [viewer.get("/api/products").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = viewer.get("/api/products")
    assert_error(limited, 429, "throttled")
    assert 1 <= int(limited["Retry-After"]) <= 3601


def test_rate_limit_per_address(anonymous, monkeypatch):
    monkeypatch.setattr(
        throttles.GatewayThrottle,
        "THROTTLE_RATES",
        {"gateway_user": "1000/hour", "gateway_address": "2/hour"},
    )
    assert [anonymous.get("/api/products").status_code for _ in range(3)] == [
        401,
        401,
        429,
    ]


@pytest.mark.usefixtures("shared_cache")
def test_rate_limit_counts_in_redis(monkeypatch):
    """With Redis the counters are shared by every gateway process."""
    monkeypatch.setattr(
        throttles.GatewayThrottle,
        "THROTTLE_RATES",
        {"gateway_user": "2/hour", "gateway_address": "1000/hour"},
    )
    client = client_for(make_user("limited", "viewers"))
    assert [client.get("/api/products").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert throttles.parse_rate("1200/min") == (1200, 60)


def test_cors_only_for_configured_origins(viewer, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example"]
    allowed = viewer.options(
        "/api/products",
        HTTP_ORIGIN="https://shop.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example"
    denied = viewer.get("/api/products", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in denied


def test_security_headers(anonymous):
    response = anonymous.get("/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    secure = anonymous.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert "max-age=" in secure["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in anonymous.get("/login/")


def test_public_schema_lists_both_services_under_api(viewer):
    schema = viewer.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for expected in (
        "/api/products",
        "/api/products/{product_id}",
        "/api/products-full",
        "/api/inventory/{stock_id}/adjust",
        "/api/inventory/transfer",
    ):
        assert expected in paths


def test_docs_page_uses_local_static_files(product):
    make_user("reader", "viewers")
    client = Client()
    assert client.get("/api/docs/").status_code in (401, 403)
    client.login(username="reader", password="a-long-test-password")
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    )
    assert not re.search(r'(src|href)="https?://', html)  # nothing from the web
    bundle = client.get(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )
    assert bundle.status_code == 200


def test_dashboard_requires_login():
    client = Client()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_then_dashboard():
    make_user("stocker", "stock_managers")
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post(
        "/login/", {"username": "stocker", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"dashboard.js" in page.content


class TestGatewayCache:
    def test_products_full_is_fresh_after_writes(self, shared_cache):
        """Cached joins are never stale after a committed write, made
        through the API or by a service call."""
        manager = client_for(make_user("mgr", "catalog_editors", "stock_managers"))
        product = product_create(name="Cached", price="1.00")
        row = stock_services.stock_create(
            product_id=product.pk, warehouse="a", quantity=5
        )

        def summary():
            items = manager.get("/api/products-full").json()
            return next(i["inventory"] for i in items if i["id"] == product.pk)

        assert summary() == {"quantity": 5, "warehouse": "a"}
        manager.post(
            f"/api/inventory/{row.pk}/adjust",
            {"delta": 2, "reason": "receipt"},
            format="json",
        )
        assert summary() == {"quantity": 7, "warehouse": "a"}
        stock_services.stock_adjust(stock_id=row.pk, delta=-7, reason="sale")
        assert summary() == {"quantity": 0, "warehouse": "a"}
        Stock.objects.filter(pk=row.pk).update(quantity=3)  # behind the cache's back
        assert summary() == {"quantity": 0, "warehouse": "a"}  # served from Redis
        shared_cache_module.bump(shared_cache_module.INVENTORY)
        assert summary() == {"quantity": 3, "warehouse": "a"}


class TestAdmin:
    @pytest.fixture
    def staff(self, db):
        make_user("boss", superuser=True).__class__.objects.filter(
            username="boss"
        ).update(is_staff=True)
        client = Client()
        client.login(username="boss", password="a-long-test-password")
        return client

    def test_product_list_search_and_filter(self, staff, stock):
        page = staff.get(
            "/admin/products/product/", {"q": "keyboard", "status": "active"}
        )
        assert page.status_code == 200
        assert b"Mechanical keyboard" in page.content

    def test_product_page_shows_stock_inline(self, staff, stock):
        page = staff.get(f"/admin/products/product/{stock.product_id}/change/")
        assert page.status_code == 200
        assert b"north" in page.content

    def test_deleting_in_admin_archives(self, staff, product):
        response = staff.post(
            f"/admin/products/product/{product.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.archived_at is not None

    def test_archive_action_refuses_products_with_stock(self, staff, stock, product):
        response = staff.post(
            "/admin/products/product/",
            {"action": "archive_selected", "_selected_action": [product.pk]},
            follow=True,
        )
        assert b"still has 10 units" in response.content
        product.refresh_from_db()
        assert product.archived_at is None

    def test_low_stock_filter(self, staff, stock):
        stock_services.stock_adjust(stock_id=stock.pk, delta=-9, reason="sale")
        page = staff.get("/admin/inventory/stock/", {"level": "low"})
        assert b"north" in page.content

    def test_adjust_action_goes_through_the_service(self, staff, stock):
        form = staff.post(
            "/admin/inventory/stock/",
            {"action": "adjust_selected", "_selected_action": [stock.pk]},
        )
        assert b"Adjust stock" in form.content
        staff.post(
            "/admin/inventory/stock/",
            {
                "action": "adjust_selected",
                "_selected_action": [stock.pk],
                "apply": "1",
                "delta": "-4",
                "reason": "damage",
                "note": "water",
            },
        )
        stock.refresh_from_db()
        assert stock.quantity == 6
        movement = Movement.objects.filter(stock=stock).first()
        assert (movement.delta, movement.reason, movement.note) == (
            -4,
            "damage",
            "water",
        )

    def test_adjust_action_refuses_negative(self, staff, stock):
        response = staff.post(
            "/admin/inventory/stock/",
            {
                "action": "adjust_selected",
                "_selected_action": [stock.pk],
                "apply": "1",
                "delta": "-40",
                "reason": "sale",
            },
            follow=True,
        )
        assert b"Not enough stock" in response.content
        stock.refresh_from_db()
        assert stock.quantity == 10

    def test_csv_export(self, staff, stock):
        response = staff.post(
            "/admin/inventory/stock/",
            {"action": "export_csv", "_selected_action": [stock.pk]},
        )
        body = b"".join(response.streaming_content).decode()
        assert (
            body.splitlines()[0] == "sku,product,warehouse,quantity,reorder_point,low"
        )
        assert "KB-1,Mechanical keyboard,north,10,3,no" in body

    def test_movements_are_read_only(self, staff, stock):
        movement = Movement.objects.filter(stock=stock).first()
        page = staff.get(f"/admin/inventory/movement/{movement.pk}/change/")
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert staff.get("/admin/inventory/movement/add/").status_code == 403
