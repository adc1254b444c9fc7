"""The three roles as separate gunicorn processes on 127.0.0.1, through
deploy/entrypoint.sh, on PostgreSQL and Redis: the Postman collection with
newman, and what the gateway does when a service is down or slow."""

import http.server
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests import processes

pytestmark = pytest.mark.processes

ROOT = processes.ROOT
NEWMAN = ROOT / "tests" / "e2e" / "node_modules" / ".bin" / "newman"
# The ports of a local multi-process run; free ones are used when taken.
PORTS = {"product": 8001, "inventory": 8002, "gateway": 8000}


def _port(role):
    wanted = PORTS[role]
    return wanted if processes.port_is_free(wanted) else processes.free_port()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """product, inventory and gateway processes on one fresh database."""
    name = f"stockwiz_e2e_{os.getpid()}"
    log_dir = tmp_path_factory.mktemp("logs")
    env = processes.base_env(
        DATABASE_URL=processes.create_database(name),
        REDIS_URL="redis://127.0.0.1:6379/2",
        CACHE_KEY_PREFIX=name,
        UPSTREAM_READ_TIMEOUT="5",
        UPSTREAM_CONNECT_TIMEOUT="1",
    )
    processes.migrate(env)
    token = (
        processes.run_manage(
            env,
            "shell",
            "-c",
            "from tests.conftest import make_user;"
            "from rest_framework.authtoken.models import Token;"
            "u = make_user('e2e', 'catalog_editors', 'stock_managers');"
            "print(Token.objects.create(user=u).key)",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    ports = {role: _port(role) for role in PORTS}
    roles = {
        role: processes.RoleProcess(role, ports[role], env, log_dir)
        for role in ("product", "inventory")
    }
    gateway_env = {
        **env,
        "PRODUCT_SERVICE_URL": roles["product"].url,
        "INVENTORY_SERVICE_URL": roles["inventory"].url,
    }
    roles["gateway"] = processes.RoleProcess(
        "gateway", ports["gateway"], gateway_env, log_dir
    )
    try:
        for role in roles.values():
            role.start()
        yield {"roles": roles, "token": token, "env": env}
    finally:
        for role in roles.values():
            role.stop()
        processes.drop_database(name)


def call(url, *, token=None, method="GET", body=None, headers=None, timeout=30):
    """``(status, headers, parsed JSON or None)`` of one HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status, response_headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, response_headers = error.read(), error.code, error.headers
    return status, response_headers, json.loads(raw) if raw else None


def test_postman_collection_passes_through_the_gateway(stack):
    """Every request and assertion of the collection passes with newman."""
    result = subprocess.run(
        [
            str(NEWMAN),
            "run",
            str(ROOT / "tests" / "test_postman_collection.json"),
            "--env-var",
            f"BASE_URL={stack['roles']['gateway'].url}",
            "--env-var",
            f"TOKEN={stack['token']}",
            "--reporters",
            "cli",
            "--bail",
            "--color",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "assertions" in result.stdout


def test_dashboard_session_writes_through_the_gateway(stack):
    """The dashboard's path in production: a browser session made at the
    gateway, a write with the CSRF token, checked by the service behind it."""
    import http.cookiejar
    import re

    gateway = stack["roles"]["gateway"].url
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{gateway}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)[1]
    form = urllib.parse.urlencode(
        {
            "username": "e2e",
            "password": "a-long-test-password",
            "csrfmiddlewaretoken": token,
            "next": "/",
        }
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{gateway}/login/", data=form, headers={"Referer": f"{gateway}/login/"}
        ),
        timeout=10,
    )
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies

    def post(headers):
        request = urllib.request.Request(
            f"{gateway}/api/products",
            data=json.dumps({"name": "From the dashboard", "price": 2}).encode(),
            headers={"Content-Type": "application/json", "Origin": gateway, **headers},
            method="POST",
        )
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post({})
    assert (status, body["code"]) == (403, "permission_denied")
    assert "CSRF" in body["detail"]
    status, body = post({"X-CSRFToken": cookies["csrftoken"]})
    assert status == 201, body
    assert body["name"] == "From the dashboard"


def test_request_id_reaches_the_service_logs(stack):
    """The id a client sends is returned and written by the gateway and by
    the service that answered."""
    request_id = f"trace-{uuid.uuid4().hex}"
    gateway = stack["roles"]["gateway"]
    status, headers, _ = call(
        f"{gateway.url}/api/products",
        token=stack["token"],
        headers={"X-Request-ID": request_id},
    )
    assert status == 200
    assert headers["X-Request-ID"] == request_id
    product_lines = [
        json.loads(line)
        for line in stack["roles"]["product"].log_lines()
        if request_id in line
    ]
    assert any(
        line["path"] == "/products" and line["status"] == 200 for line in product_lines
    )
    assert any(request_id in line for line in gateway.log_lines())


def _upstream_calls(gateway, request_id):
    calls = []
    for line in gateway.log_lines():
        if request_id in line and '"upstream call"' in line:
            calls.append(json.loads(line)["upstream_path"])
    return calls


def _add_products(stack, count):
    processes.run_manage(
        stack["env"],
        "shell",
        "-c",
        "from products.models import Product;"
        "from stockwiz import cache;"
        "Product.objects.bulk_create("
        f"[Product(name=f'bulk {{n}}', price=1) for n in range({count})]);"
        "cache.bump(cache.PRODUCTS)",
    )


def test_products_full_costs_the_same_calls_for_10_and_1000_products(stack):
    """The join asks each service once, whatever the catalog size."""
    gateway = stack["roles"]["gateway"]
    counts = {}
    for size in (10, 1000):
        _add_products(stack, size)
        request_id = f"full-{size}-{uuid.uuid4().hex}"
        status, _, body = call(
            f"{gateway.url}/api/products-full?force_refresh=true",
            token=stack["token"],
            headers={"X-Request-ID": request_id},
        )
        assert status == 200
        assert len(body) >= size
        counts[size] = sorted(_upstream_calls(gateway, request_id))
    assert counts[10] == counts[1000] == ["/inventory", "/products"]


def test_inventory_down_gives_502_then_recovers(stack):
    """With the inventory service stopped: its API answers 502 at once, the
    joins still answer with inventory null and X-Degraded, health says
    degraded; once it is back everything recovers without a restart."""
    gateway, inventory = stack["roles"]["gateway"], stack["roles"]["inventory"]
    token = stack["token"]
    inventory.stop()
    try:
        started = time.monotonic()
        status, _, body = call(f"{gateway.url}/api/inventory", token=token)
        assert (status, body["code"]) == (502, "upstream_unavailable")
        assert time.monotonic() - started < 5

        status, headers, body = call(
            f"{gateway.url}/api/products-full?force_refresh=true", token=token
        )
        assert status == 200
        assert headers["X-Degraded"] == "inventory"
        assert body
        assert all(item["inventory"] is None for item in body)

        status, headers, body = call(
            f"{gateway.url}/api/products/{body[0]['id']}", token=token
        )
        assert (status, headers["X-Degraded"], body["inventory"]) == (
            200,
            "inventory",
            None,
        )

        status, _, health = call(f"{gateway.url}/health")
        assert health["status"] == "degraded"
        assert health["downstream_services"]["inventory_service"] == "unhealthy"
    finally:
        inventory.start()

    status, _, _ = call(f"{gateway.url}/api/inventory", token=token)
    assert status == 200
    status, headers, _ = call(
        f"{gateway.url}/api/products-full?force_refresh=true", token=token
    )
    assert status == 200
    assert "X-Degraded" not in headers


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    delay = threading.Event()

    def do_GET(self):
        self.delay.wait(timeout=10)  # longer than the gateway's timeout
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_slow_upstream_gives_504_at_the_timeout(stack, tmp_path):
    """A service that does not answer within UPSTREAM_READ_TIMEOUT gives
    504 upstream_timeout after about that long, not a hung request."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slow_url = f"http://127.0.0.1:{server.server_address[1]}"
    gateway = processes.RoleProcess(
        "gateway",
        processes.free_port(),
        {
            **stack["env"],
            "PRODUCT_SERVICE_URL": slow_url,
            "INVENTORY_SERVICE_URL": slow_url,
            "UPSTREAM_READ_TIMEOUT": "1",
        },
        tmp_path,
    ).start()
    try:
        started = time.monotonic()
        status, _, body = call(f"{gateway.url}/api/products", token=stack["token"])
        elapsed = time.monotonic() - started
        assert (status, body["code"]) == (504, "upstream_timeout")
        assert 0.9 <= elapsed < 5
    finally:
        _SlowHandler.delay.set()
        gateway.stop()
        server.shutdown()


def test_database_down_is_a_503_not_a_500(stack, tmp_path):
    """A service whose database cannot be reached answers 503
    database_unavailable with Retry-After, and /ready names the database."""
    env = {**stack["env"], "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none"}
    product = processes.RoleProcess("product", processes.free_port(), env, tmp_path)
    product.start()
    try:
        status, headers, body = call(f"{product.url}/products", token=stack["token"])
        assert (status, body["code"]) == (503, "database_unavailable")
        assert headers["Retry-After"] == "2"
        status, _, body = call(f"{product.url}/ready")
        assert status == 503
        assert "database" in body["detail"]
    finally:
        product.stop()


def test_unknown_role_stops_with_the_valid_roles(stack):
    result = subprocess.run(
        [str(processes.ENTRYPOINT)],
        env={**stack["env"], "ROLE": "nonsense"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "product, inventory, gateway, all, migrate" in result.stderr


def test_logs_are_json_lines(stack):
    for role in stack["roles"].values():
        # Metric lines (CloudWatch Embedded Metric Format) have their own shape.
        lines = [
            line
            for line in role.log_lines()
            if line.startswith("{") and not line.startswith('{"_aws"')
        ]
        assert lines
        for line in lines:
            record = json.loads(line)
            assert {"time", "level", "logger", "message", "role", "request_id"} <= set(
                record
            )
        assert Path(role.log_path).stat().st_size > 0
