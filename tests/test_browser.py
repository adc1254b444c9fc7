"""The dashboard in a real browser against a real StockWiz process.

A module fixture creates an empty PostgreSQL database, migrates it through
``deploy/entrypoint.sh``, adds a stock manager and starts ``ROLE=all`` with
gunicorn; headless Chromium (Debian's package) then drives the pages.
Screenshots of the desktop and phone layouts go to ``reports/``.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
CHROMIUM = "/usr/bin/chromium"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/3"
USERNAME = "manager"
PASSWORD = "browser-test-password-7"
MARKUP_NAME = "<img src=x onerror=alert(1)>"
START_TIMEOUT_SECONDS = 30

pytestmark = pytest.mark.browser


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(database_url, **extra):
    """The environment of a StockWiz process started for these tests."""
    env = dict(os.environ)
    env.update(
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
        DJANGO_SETTINGS_MODULE="stockwiz.settings",
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        SECRET_KEY="test",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        **extra,
    )
    return env


def wait_for_health(base_url, server, log_path):
    """Poll /health until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"StockWiz exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"StockWiz did not answer /health:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def stockwiz_url(tmp_path_factory):
    """Base URL of a StockWiz ``ROLE=all`` process on its own database."""
    database = f"stockwiz_browser_{os.getpid()}"
    database_url = f"postgres://postgres@127.0.0.1:5432/{database}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    # Cached answers are keyed by data versions kept in Redis; answers left
    # there by an earlier run on another database would look current.
    redis.Redis.from_url(REDIS_URL).flushdb()

    entrypoint = str(ROOT / "deploy" / "entrypoint.sh")
    subprocess.run(
        [entrypoint],
        env=process_env(database_url, ROLE="migrate"),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE_MANAGER],
        env=process_env(database_url, ROLE="all"),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("stockwiz") / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [entrypoint],
            env=process_env(
                database_url,
                ROLE="all",
                PORT=str(port),
                HOST="127.0.0.1",
                WEB_CONCURRENCY="1",
            ),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(base_url, server, log_path)
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


CREATE_MANAGER = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user({USERNAME!r}, password={PASSWORD!r})
user.groups.set(Group.objects.filter(name__in=["catalog_editors", "stock_managers"]))
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/lib/test-tools.sh")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def dialogs(page):
    """Every JavaScript dialog the page opens; there should be none."""
    opened = []

    def record(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


@pytest.fixture
def policy_violations(page):
    """Scripts, styles or handlers the Content Security Policy blocked, and
    uncaught script errors."""
    blocked = []

    def record(message):
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: blocked.append(str(error)))
    return blocked


@pytest.fixture
def dashboard(page, stockwiz_url, dialogs, policy_violations):
    """The dashboard page, signed in as a stock manager."""
    page.goto(f"{stockwiz_url}/")
    expect(page).to_have_url(f"{stockwiz_url}/login/?next=/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("user-name")).to_have_text(USERNAME)
    expect(page.get_by_test_id("products-table")).not_to_have_attribute(
        "aria-busy", "true"
    )
    return page


def unique(name):
    return f"{name} {uuid.uuid4().hex[:6]}"


def product_row(page, name):
    return page.get_by_test_id("product-row").filter(
        has=page.get_by_test_id("product-name").get_by_text(name, exact=True)
    )


def stock_cell(row, warehouse):
    return row.locator(f'[data-testid="stock-cell"][data-warehouse="{warehouse}"]')


def create_product(page, name, price="12.50", sku=""):
    page.get_by_test_id("new-product-button").click()
    dialog = page.get_by_test_id("product-dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("SKU").fill(sku)
    dialog.get_by_label("Price").fill(price)
    dialog.get_by_test_id("product-save").click()
    expect(dialog).to_be_hidden()
    expect(product_row(page, name)).to_have_count(1)


def open_stock_row(page, name, warehouse, quantity, reorder_point=""):
    product_row(page, name).get_by_test_id("open-stock-button").click()
    dialog = page.get_by_test_id("open-stock-dialog")
    dialog.get_by_label("Warehouse").fill(warehouse)
    dialog.get_by_label("Quantity on hand").fill(str(quantity))
    dialog.get_by_label("Reorder point").fill(str(reorder_point))
    dialog.get_by_test_id("open-stock-save").click()
    expect(dialog).to_be_hidden()


def adjust(page, delta, reason, note=""):
    dialog = page.get_by_test_id("stock-dialog")
    dialog.get_by_label("Change in units").fill(str(delta))
    dialog.get_by_label("Reason").select_option(reason)
    dialog.get_by_label("Note").fill(note)
    dialog.get_by_test_id("adjust-save").click()


def test_stock_manager_creates_stocks_and_adjusts(
    dashboard, dialogs, policy_violations
):
    """A new product gets a stock row, an adjustment changes its quantity
    and history, and a refused adjustment is explained in words."""
    page = dashboard
    name = unique("Steel bracket")
    create_product(page, name, sku=unique("SB"))
    open_stock_row(page, name, "Main", 5, reorder_point=10)

    row = product_row(page, name)
    expect(stock_cell(row, "Main").get_by_test_id("stock-quantity")).to_have_text("5")
    expect(row.get_by_test_id("product-total")).to_have_text("5")
    expect(row).to_contain_text("Low stock")

    stock_cell(row, "Main").get_by_role("button").click()
    dialog = page.get_by_test_id("stock-dialog")
    expect(dialog.get_by_test_id("stock-dialog-quantity")).to_have_text("5")
    with page.expect_request(lambda request: request.url.endswith("/adjust")) as sent:
        adjust(page, 20, "receipt", "Delivery 4411")
    assert sent.value.headers.get("idempotency-key")
    expect(dialog.get_by_test_id("stock-dialog-quantity")).to_have_text("25")
    expect(dialog.get_by_test_id("movement-row").first).to_contain_text("+20")
    expect(dialog.get_by_test_id("movement-row").first).to_contain_text("Delivery 4411")
    expect(page.get_by_test_id("status")).to_contain_text("now holds 25")

    adjust(page, -1000, "sale")
    expect(dialog.get_by_test_id("form-error")).to_contain_text(
        "Not enough stock in Main: requested 1000, available 25."
    )
    expect(dialog.get_by_test_id("stock-dialog-quantity")).to_have_text("25")
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=REPORTS / "dashboard-adjust.png")

    dialog.get_by_role("button", name="Close").click()
    expect(stock_cell(row, "Main").get_by_test_id("stock-quantity")).to_have_text("25")
    expect(row).not_to_contain_text("Low stock")
    assert dialogs == []
    assert policy_violations == []


def test_double_click_applies_an_adjustment_once(dashboard):
    """Two quick clicks on "Apply change" change the stock once."""
    page = dashboard
    name = unique("Cable tie")
    create_product(page, name, price="0.05")
    open_stock_row(page, name, "Main", 10)

    stock_cell(product_row(page, name), "Main").get_by_role("button").click()
    dialog = page.get_by_test_id("stock-dialog")
    expect(dialog.get_by_test_id("movement-row")).to_have_count(1)
    dialog.get_by_label("Change in units").fill("4")
    dialog.get_by_test_id("adjust-save").dblclick()

    expect(page.get_by_test_id("status")).to_contain_text("now holds 14")
    expect(dialog.get_by_test_id("movement-row")).to_have_count(2)
    expect(dialog.get_by_test_id("stock-dialog-quantity")).to_have_text("14")


def test_transfer_and_archive_refusal(dashboard):
    """A transfer shows the stock in both warehouses; archiving a product
    with stock on hand is refused with the API's reason."""
    page = dashboard
    name = unique("Copper pipe")
    create_product(page, name, price="3.20")
    open_stock_row(page, name, "Main", 8)

    page.get_by_test_id("transfer-button").click()
    dialog = page.get_by_test_id("transfer-dialog")
    dialog.get_by_label("Product").select_option(label=name)
    dialog.get_by_label("From").select_option("Main")
    dialog.get_by_label("To", exact=True).fill("East")
    dialog.get_by_label("Units to move").fill("3")
    dialog.get_by_test_id("transfer-save").click()
    expect(dialog).to_be_hidden()

    row = product_row(page, name)
    expect(stock_cell(row, "Main").get_by_test_id("stock-quantity")).to_have_text("5")
    expect(stock_cell(row, "East").get_by_test_id("stock-quantity")).to_have_text("3")
    expect(row.get_by_test_id("product-total")).to_have_text("8")

    row.get_by_test_id("archive-product-button").click()
    archive = page.get_by_test_id("archive-dialog")
    archive.get_by_test_id("archive-confirm").click()
    expect(archive.get_by_test_id("form-error")).to_contain_text(
        "still has 8 units in stock"
    )


def test_field_errors_show_next_to_fields(dashboard):
    """Validation messages from the API appear under the fields they name."""
    page = dashboard
    page.get_by_test_id("new-product-button").click()
    dialog = page.get_by_test_id("product-dialog")
    dialog.get_by_label("Name").fill("Priced wrong")
    dialog.get_by_label("Price").fill("-4")
    dialog.get_by_test_id("product-save").click()

    expect(dialog.get_by_test_id("form-error")).to_contain_text("Invalid input")
    expect(dialog.get_by_test_id("field-error-price")).to_contain_text(
        "greater than or equal to 0.01"
    )
    expect(dialog.get_by_label("Price")).to_have_attribute("aria-invalid", "true")


def test_markup_in_a_name_is_shown_as_text(dashboard, dialogs):
    """A product named like an HTML tag is listed literally, never run."""
    page = dashboard
    create_product(page, MARKUP_NAME, price="1.00")
    open_stock_row(page, MARKUP_NAME, "Main", 2)

    row = product_row(page, MARKUP_NAME)
    expect(row.get_by_test_id("product-name")).to_have_text(MARKUP_NAME)
    expect(page.locator("img")).to_have_count(0)

    stock_cell(row, "Main").get_by_role("button").click()
    dialog = page.get_by_test_id("stock-dialog")
    expect(dialog.get_by_test_id("stock-dialog-title")).to_have_text(MARKUP_NAME)
    expect(dialog.get_by_test_id("movement-row")).to_have_count(1)
    dialog.get_by_role("button", name="Close").click()
    assert dialogs == []


def test_screenshots_desktop_and_phone(dashboard):
    """The dashboard renders on a desktop and a phone (checked by eye)."""
    page = dashboard
    name = unique("Hex bolt M8")
    create_product(page, name, price="0.35", sku=unique("HB"))
    open_stock_row(page, name, "Main", 3, reorder_point=50)
    expect(product_row(page, name)).to_contain_text("Low stock")

    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=REPORTS / "dashboard.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_test_id("new-product-button")).to_be_visible()
    page.screenshot(path=REPORTS / "dashboard-phone.png", full_page=True)

    stock_cell(product_row(page, name), "Main").get_by_role("button").click()
    dialog = page.get_by_test_id("stock-dialog")
    expect(dialog.get_by_test_id("movement-row")).to_have_count(1)
    page.screenshot(path=REPORTS / "dashboard-phone-stock.png")


def test_wrong_password_is_refused(page, stockwiz_url):
    """The sign-in page says when the credentials do not match."""
    page.goto(f"{stockwiz_url}/login/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("do not match")
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=REPORTS / "login.png")


def test_degraded_answer_shows_a_banner(dashboard):
    """When the gateway answers without stock data, the page says so."""
    page = dashboard

    def mark_degraded(route):
        answer = route.fetch()
        route.fulfill(
            response=answer,
            headers={**answer.headers, "x-degraded": "inventory"},
        )

    page.route("**/api/products-full", mark_degraded)
    page.get_by_test_id("refresh-button").click()
    expect(page.get_by_test_id("degraded-banner")).to_be_visible()
    expect(page.get_by_test_id("summary-units")).to_have_text("\N{EN DASH}")
    expect(page.get_by_test_id("product-row").first).to_contain_text("Unavailable")
