"""Logs and metrics: the JSON request log, the EMF metric lines, and log
shipping to CloudWatch Logs, tested against moto in server mode."""

import contextlib
import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory import services as stock_services
from products import services as product_services
from stockwiz import metrics
from stockwiz.cloudwatch import CloudWatchHandler, logs_client, stream_name

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
LOG_GROUP = "/ecs/stockwiz-test/all"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    """A moto server on a free local port, for the whole module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """Fake credentials pointed at a freshly reset moto server."""
    # Local moto server only, hence no scheme check.
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return moto_endpoint


@contextlib.contextmanager
def captured_handler(name, logger=None):
    """What the configured handler ``name`` writes, in a StringIO."""
    owner = logging.getLogger(logger)
    handler = next(h for h in owner.handlers if h.name == name)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def json_lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line]


def metric_lines(buffer, name):
    return [line for line in json_lines(buffer) if name in line]


@pytest.fixture
def stock_row(db):
    product = product_services.product_create(
        name="Keyboard", price="89.00", sku="OBS-KB-1"
    )
    return stock_services.stock_create(
        product_id=product.pk, warehouse="north", quantity=10, reorder_point=3
    )


@pytest.fixture
def token_client(db):
    user = get_user_model().objects.create_user(
        username="observer", password="a-long-test-password", is_superuser=True
    )
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user, client.token = user, token.key
    return client


# --- the request log ---------------------------------------------------------


def test_request_log_line_has_the_request_fields_and_no_secrets(
    token_client, stock_row
):
    """One JSON line per request with role, request id, method, path,
    status, duration and user id; the token never appears."""
    with captured_handler("stdout") as out:
        response = token_client.get(
            f"/inventory/{stock_row.pk}", HTTP_X_REQUEST_ID="req-obs-1"
        )

    assert response.status_code == 200
    assert token_client.token not in out.getvalue()
    request_lines = [
        line for line in json_lines(out) if line["logger"] == "stockwiz.request"
    ]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-obs-1"
    assert line["role"] == os.environ.get("ROLE", "all")
    assert line["method"] == "GET"
    assert line["path"] == f"/inventory/{stock_row.pk}"
    assert line["status"] == 200
    assert line["user_id"] == token_client.user.pk
    assert isinstance(line["duration_ms"], float)
    assert "time" in line


def test_log_level_setting_hides_lower_levels():
    """LOG_LEVEL=WARNING drops info lines and keeps warnings."""
    script = (
        "import logging; log = logging.getLogger('stockwiz.probe'); "
        "log.info('hidden line'); log.warning('shown line')"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env={**os.environ, "LOG_LEVEL": "WARNING", "SECRET_KEY": "x"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert [line["message"] for line in lines] == ["shown line"]
    assert lines[0]["level"] == "WARNING"


# --- metrics -------------------------------------------------------------------


def test_request_metric_uses_the_route_pattern_not_the_path(token_client, stock_row):
    """RequestCount and RequestLatency carry Role, Route and StatusClass;
    the route is the URL pattern, never the id in the path."""
    with captured_handler("metrics", "stockwiz.metrics") as out:
        token_client.get(f"/inventory/{stock_row.pk}", HTTP_X_REQUEST_ID="req-m-1")
        token_client.get("/inventory/999999999")

    ok, missing = metric_lines(out, "RequestCount")
    assert ok["Route"] == "/inventory/<id:stock_id>"
    assert ok["StatusClass"] == "2xx"
    assert ok["Role"] == os.environ.get("ROLE", "all")
    assert ok["RequestCount"] == 1
    assert ok["RequestLatency"] > 0
    assert ok["request_id"] == "req-m-1"
    directive = ok["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "StockWiz"
    assert directive["Dimensions"] == [["Role", "Route", "StatusClass"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "RequestCount": "Count",
        "RequestLatency": "Milliseconds",
    }
    assert missing["Route"] == "/inventory/<id:stock_id>"
    assert "999999999" not in json.dumps(missing)
    assert missing["StatusClass"] == "4xx"


def test_request_metric_groups_unknown_paths(client, db):
    """A path that matches no URL pattern is counted as route 'unmatched'."""
    with captured_handler("metrics", "stockwiz.metrics") as out:
        client.get("/no/such/path/12345")

    (line,) = metric_lines(out, "RequestCount")
    assert line["Route"] == "unmatched"
    assert line["StatusClass"] == "4xx"


def test_metrics_off_when_disabled(client, db, settings):
    """METRICS_ENABLED=0 prints no metric line at all."""
    settings.METRICS_ENABLED = False
    with captured_handler("metrics", "stockwiz.metrics") as out:
        client.get("/health")
        metrics.record_stock_event("StockAdjustments")

    assert out.getvalue() == ""


@pytest.mark.parametrize("name", metrics.STOCK_EVENTS)
def test_stock_event_metric_is_a_raw_emf_line(name):
    """Business metrics are bare EMF objects with the Role dimension."""
    with captured_handler("metrics", "stockwiz.metrics") as out:
        metrics.record_stock_event(name, count=3)

    (raw,) = out.getvalue().splitlines()
    line = json.loads(raw)
    assert "logger" not in line
    assert line[name] == 3
    assert line["Role"] == os.environ.get("ROLE", "all")
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Dimensions"] == [["Role"]]
    assert directive["Metrics"] == [{"Name": name, "Unit": "Count"}]


def test_unknown_stock_event_is_refused():
    with pytest.raises(ValueError, match="StockAdjustments"):
        metrics.record_stock_event("StockAdjustment")


# --- shipping to CloudWatch Logs ------------------------------------------------


def make_handler(**options):
    handler = CloudWatchHandler(LOG_GROUP, region=REGION, send_interval=60, **options)
    handler.setFormatter(logging.getLogger().handlers[0].formatter)
    for log_filter in logging.getLogger().handlers[0].filters:
        handler.addFilter(log_filter)
    return handler


@contextlib.contextmanager
def shipping(handler, name="stockwiz.shipping"):
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        handler.close()


def stream_events(client, stream):
    return [
        json.loads(event["message"])
        for event in client.get_log_events(
            logGroupName=LOG_GROUP, logStreamName=stream, startFromHead=True
        )["events"]
    ]


def test_lines_are_shipped_to_one_stream_per_process(aws):
    """Log lines reach the log group, in stream {role}/{hostname}-{pid},
    formatted as the same JSON objects as on stdout."""
    client = boto3.client("logs", region_name=REGION)
    client.create_log_group(logGroupName=LOG_GROUP)
    handler = make_handler()

    with shipping(handler) as logger:
        logger.warning("stock count differs", extra={"warehouse": "north"})
        logger.info("second line")
        handler.flush()

        role = os.environ.get("ROLE", "all")
        stream = f"{role}/{socket.gethostname()}-{os.getpid()}"
        assert stream_name() == stream
        events = stream_events(client, stream)

    assert [e["message"] for e in events] == ["stock count differs", "second line"]
    assert events[0]["level"] == "WARNING"
    assert events[0]["warehouse"] == "north"
    assert events[0]["role"] == role
    assert events[0]["request_id"] == "-"
    assert handler.lost_events == 0


def test_unreachable_cloudwatch_counts_the_loss_and_warns_once(
    aws, monkeypatch, caplog
):
    """With CloudWatch down, logging stays fast, the lost lines are counted
    and a single local warning says so."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    handler = make_handler()
    caplog.set_level(logging.WARNING, logger="stockwiz.cloudwatch")

    with shipping(handler) as logger:
        started = time.perf_counter()
        for number in range(3):
            logger.warning("line %s", number)
        logging_took = time.perf_counter() - started
        handler.flush()
        logger.warning("after the first failure")
        handler.flush()

    assert logging_took < 0.5
    assert handler.lost_events == 4
    warnings = [r for r in caplog.records if r.name == "stockwiz.cloudwatch"]
    assert len(warnings) == 1
    assert warnings[0].getMessage() == "cloudwatch logs shipping failed, dropping lines"


def test_throttling_drops_the_batch_and_counts_it(aws):
    """A throttled PutLogEvents (after botocore's retries) loses the batch
    without raising in the sender thread."""
    handler = make_handler()
    with Stubber(handler.cwl_client) as stub:
        stub.add_client_error(
            "put_log_events", "ThrottlingException", "Rate exceeded", 400
        )
        handler._submit_batch(
            [{"timestamp": 1, "message": "a"}, {"timestamp": 2, "message": "b"}],
            "all/test",
        )
    handler.close()

    assert handler.lost_events == 2


def test_full_queue_drops_new_lines_instead_of_blocking(aws):
    """When the sender falls behind, a full queue drops lines at once."""
    release = threading.Event()
    handler = make_handler(max_queue_size=2)
    handler._dequeue_batch = lambda *args: release.wait(10)

    with shipping(handler) as logger:
        started = time.perf_counter()
        for number in range(5):
            logger.warning("line %s", number)
        took = time.perf_counter() - started
        assert handler.lost_events == 3
        release.set()
        handler.shutting_down = True  # the stub sender drains nothing

    assert took < 0.5


def test_cloudwatch_log_group_setting_ships_a_process_logs(aws):
    """CLOUDWATCH_LOG_GROUP in the environment makes a process ship its
    lines; the queue is flushed when the process exits."""
    client = boto3.client("logs", region_name=REGION)
    client.create_log_group(logGroupName=LOG_GROUP)
    script = (
        "import logging, os; "
        "logging.getLogger('stockwiz.probe').warning('shipped line'); "
        "print('pid', os.getpid())"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "CLOUDWATCH_LOG_GROUP": LOG_GROUP,
            "ROLE": "inventory",
            "SECRET_KEY": "x",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    pid = result.stdout.split("pid ")[-1].strip()
    stream = f"inventory/{socket.gethostname()}-{pid}"
    messages = [e["message"] for e in stream_events(client, stream)]
    assert "shipped line" in messages


def test_logs_client_honours_the_endpoint_setting(aws):
    """AWS_ENDPOINT_URL is read by boto3 itself, so tests reach moto."""
    assert logs_client(REGION).meta.endpoint_url == aws
