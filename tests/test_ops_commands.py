"""The operator commands of manage.py: database, catalog, stock and ECS."""

import csv
import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest

from django.core.management import call_command
from django.core.management.base import CommandError

from inventory import services as stock_services
from inventory.models import Movement, Stock
from products import services as product_services
from products.models import Product
from stockwiz.management.commands.ecs_rollback import image_repository

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"


def run(*args):
    """``call_command``; returns what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def manage(*args, env=None):
    """``manage.py`` in a child process, for exit codes."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def database_url(settings):
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def make_stock(sku, quantity, reorder_point, warehouse="north"):
    product = product_services.product_create(name=f"Item {sku}", price="5.00", sku=sku)
    return stock_services.stock_create(
        product_id=product.pk,
        warehouse=warehouse,
        quantity=quantity,
        reorder_point=reorder_point,
    )


# --- wait_for_db -----------------------------------------------------------------


@pytest.mark.django_db
def test_wait_for_db_returns_once_the_database_answers():
    out, _ = run("wait_for_db", "--timeout", "5")
    assert out.startswith("database ready after")


def test_wait_for_db_fails_clearly_after_the_timeout():
    """An unreachable database gives exit 1 and names the problem."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = manage(
        "wait_for_db",
        "--timeout",
        "1",
        env={"DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/none"},
    )

    assert result.returncode == 1
    assert "Database not reachable after 1 s" in result.stderr


# --- seed_demo ---------------------------------------------------------------------


def ledger_balanced():
    out, _ = run("stock_audit", "--json")
    return json.loads(out)["mismatches"] == []


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_keeps_the_ledger_balanced():
    """A second run adds nothing; every generated row has its opening
    movement; the login lines are printed."""
    out, _ = run("seed_demo", "--products", "120", "--password", "pw-123456789")

    assert "demo catalog ready (128 products added)" in out
    assert "log in at /login/ or /admin/ with:" in out
    assert "  admin / pw-123456789" in out
    assert "API token (admin): " in out
    assert Product.objects.filter(sku__startswith="GEN-").count() == 120
    assert Stock.objects.filter(product__sku="GEN-000120").count() == 2
    assert Movement.objects.filter(reason="opening").count() == Stock.objects.count()
    assert ledger_balanced()

    counts = (Product.objects.count(), Stock.objects.count(), Movement.objects.count())
    again, _ = run("seed_demo", "--products", "120")

    assert "demo catalog ready (0 products added)" in again
    assert counts == (
        Product.objects.count(),
        Stock.objects.count(),
        Movement.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_inserts_generated_products_in_bulk(django_assert_max_num_queries):
    """5,000 generated products cost a handful of statements per batch,
    not a dozen per product."""
    run("seed_demo", "--products", "0")

    with django_assert_max_num_queries(60):
        run("seed_demo", "--products", "5000")

    assert Product.objects.filter(sku__startswith="GEN-").count() == 5000
    assert ledger_balanced()


# --- import_products -----------------------------------------------------------------


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return str(path)


@pytest.mark.django_db
def test_import_creates_and_updates_by_sku(tmp_path):
    """Known SKUs are updated, new ones created; a column left out of the
    file leaves that field as it was."""
    existing = product_services.product_create(
        name="Old name", price="1.00", sku="IMP-1", category="cables"
    )
    path = write_csv(
        tmp_path / "products.csv",
        [
            ["sku", "name", "price", "description"],
            ["IMP-1", "New name", "2.50", "Updated."],
            ["IMP-2", "Second", "3.00", ""],
        ],
    )

    out, _ = run("import_products", path, "--json")

    assert json.loads(out) == {
        "file": path,
        "rows": 2,
        "created": 1,
        "updated": 1,
        "dry_run": False,
    }
    existing.refresh_from_db()
    assert (existing.name, str(existing.price), existing.category) == (
        "New name",
        "2.50",
        "cables",
    )
    assert existing.description == "Updated."
    assert Product.objects.get(sku="IMP-2").name == "Second"


@pytest.mark.django_db
def test_import_reports_every_bad_row_and_writes_nothing(tmp_path):
    """Each invalid row is named with its line number and reason."""
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["sku", "name", "price"],
            ["OK-1", "Fine", "1.00"],
            ["BAD-1", "", "1.00"],
            ["BAD-2", "Free", "0"],
            ["OK-1", "Again", "2.00"],
            ["", "No sku", "2.00"],
        ],
    )

    err = io.StringIO()
    with pytest.raises(CommandError, match="4 invalid rows"):
        call_command("import_products", path, stdout=io.StringIO(), stderr=err)

    report = err.getvalue().splitlines()
    assert report[0].startswith("line 3 (BAD-1): name:")
    assert report[1].startswith("line 4 (BAD-2): price:")
    assert report[2] == "line 5 (OK-1): sku: Repeats the SKU of line 2."
    assert report[3].startswith("line 6 (no sku): sku:")
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_import_dry_run_counts_without_writing(tmp_path):
    path = write_csv(
        tmp_path / "dry.csv", [["sku", "name", "price"], ["DRY-1", "Dry", "1.00"]]
    )

    out, _ = run("import_products", path, "--dry-run")

    assert out.strip() == "1 rows valid; would create 1, would update 0"
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_import_refuses_unknown_columns(tmp_path):
    path = write_csv(tmp_path / "cols.csv", [["sku", "name", "cost"], ["A", "B", "1"]])

    with pytest.raises(CommandError, match=r"missing columns \['price'\]"):
        run("import_products", path)


@pytest.mark.django_db
def test_import_writes_large_files_in_batches(tmp_path, django_assert_max_num_queries):
    """3,000 rows are written with a few statements per 1,000 rows."""
    rows = [["sku", "name", "price"]] + [
        [f"BULK-{n}", f"Bulk {n}", "1.00"] for n in range(3000)
    ]
    path = write_csv(tmp_path / "bulk.csv", rows)

    with django_assert_max_num_queries(20):
        out, _ = run("import_products", path)

    assert out.strip() == "3000 rows valid; created 3000, updated 0"
    assert Product.objects.count() == 3000


# --- export_stock -------------------------------------------------------------------


@pytest.mark.django_db
def test_export_stock_writes_one_line_per_row(tmp_path):
    make_stock("EXP-1", quantity=2, reorder_point=5)
    make_stock("EXP-2", quantity=50, reorder_point=5, warehouse="south")
    target = tmp_path / "stock.csv"

    _, err = run("export_stock", "--output", str(target))

    assert err.strip() == f"exported 2 stock rows to {target}"
    with open(target, newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines == [
        ["sku", "product_name", "warehouse", "quantity", "reorder_point", "low"],
        ["EXP-1", "Item EXP-1", "north", "2", "5", "true"],
        ["EXP-2", "Item EXP-2", "south", "50", "5", "false"],
    ]


@pytest.mark.django_db
def test_export_stock_to_stdout_skips_deleted_rows():
    row = make_stock("EXP-3", quantity=0, reorder_point=1)
    make_stock("EXP-4", quantity=1, reorder_point=1)
    stock_services.stock_delete(stock_id=row.pk)

    out, _ = run("export_stock")

    assert [line[0] for line in csv.reader(io.StringIO(out))] == ["sku", "EXP-4"]


# --- low_stock ----------------------------------------------------------------------


@pytest.mark.django_db
def test_low_stock_lists_rows_and_exits_2():
    make_stock("LOW-1", quantity=1, reorder_point=5)
    make_stock("LOW-2", quantity=5, reorder_point=5)
    make_stock("OK-9", quantity=6, reorder_point=5)
    out = io.StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("low_stock", "--json", stdout=out, stderr=io.StringIO())

    assert exit_info.value.code == 2
    rows = json.loads(out.getvalue())
    assert [(r["sku"], r["shortfall"]) for r in rows] == [("LOW-1", 4), ("LOW-2", 0)]


@pytest.mark.django_db
def test_low_stock_exits_0_when_nothing_is_low():
    make_stock("OK-1", quantity=9, reorder_point=5)

    out, _ = run("low_stock")

    assert out.strip() == "no stock at or under its reorder point"


@pytest.mark.django_db(transaction=True)
def test_low_stock_exit_code_from_the_shell(settings):
    """The process exit code itself is 2, for schedulers and alarms."""
    make_stock("LOW-9", quantity=0, reorder_point=3)

    result = manage("low_stock", env={"DATABASE_URL": database_url(settings)})

    assert result.returncode == 2, result.stderr
    assert "LOW-9" in result.stdout
    assert "1 stock rows at or under reorder point" in result.stderr


# --- stock_audit --------------------------------------------------------------------


@pytest.mark.django_db
def test_stock_audit_passes_on_a_balanced_ledger(django_assert_max_num_queries):
    for number in range(20):
        row = make_stock(f"AUD-{number}", quantity=10, reorder_point=1)
        stock_services.stock_adjust(stock_id=row.pk, delta=-3, reason="sale")

    with django_assert_max_num_queries(2):
        out, _ = run("stock_audit")

    assert out.strip() == "ledger balanced: 20 stock rows audited"


@pytest.mark.django_db
def test_stock_audit_lists_every_mismatch_including_deleted_rows():
    changed = make_stock("AUD-A", quantity=10, reorder_point=1)
    deleted = make_stock("AUD-B", quantity=0, reorder_point=1)
    make_stock("AUD-C", quantity=4, reorder_point=1)
    stock_services.stock_delete(stock_id=deleted.pk)
    # Changes that bypassed the services, so the ledger no longer adds up.
    Stock.objects.filter(pk=changed.pk).update(quantity=7)
    Movement.objects.create(stock=deleted, delta=2, quantity_after=2, reason="count")
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 of 3 stock rows do not match"):
        call_command("stock_audit", "--json", stdout=out)

    mismatches = json.loads(out.getvalue())["mismatches"]
    assert [
        (m["sku"], m["quantity"], m["ledger_sum"], m["deleted"]) for m in mismatches
    ] == [
        ("AUD-A", 7, 10, False),
        ("AUD-B", 0, 2, True),
    ]


# --- ECS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_ecs_endpoint():
    """A moto server on a free local port, for the whole module."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def ecs(moto_ecs_endpoint, monkeypatch):
    """A cluster ``stockwiz`` with service ``gateway`` on revision 2 of
    family ``stockwiz-gateway`` (image tags v1, v2), in a reset moto."""
    # Local moto server only, hence no scheme check.
    reset = urllib.request.Request(f"{moto_ecs_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=5).close()
    for name, value in {
        "AWS_ENDPOINT_URL": moto_ecs_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    client = boto3.client("ecs", region_name=REGION)
    client.create_cluster(clusterName="stockwiz")
    for tag in ("v1", "v2"):
        client.register_task_definition(
            family="stockwiz-gateway",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": f"registry:5000/stockwiz:{tag}",
                    "memory": 512,
                },
                {"name": "agent", "image": "public/agent:7", "memory": 128},
            ],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="1024",
        )
    client.create_service(
        cluster="stockwiz",
        serviceName="gateway",
        taskDefinition="stockwiz-gateway:2",
        desiredCount=0,
    )
    return client


def running_revision(client):
    service = client.describe_services(cluster="stockwiz", services=["gateway"])
    return service["services"][0]["taskDefinition"].rsplit("/", 1)[-1]


def test_ecs_status_shows_each_service(ecs):
    out, _ = run("ecs_status", "--cluster", "stockwiz", "--json")

    (service,) = json.loads(out)["services"]
    assert service["service"] == "gateway"
    assert service["task_definition"] == "stockwiz-gateway:2"
    assert service["images"] == ["registry:5000/stockwiz:v2", "public/agent:7"]
    assert (service["desired"], service["running"]) == (0, 0)

    text, _ = run("ecs_status", "--cluster", "stockwiz")
    assert "  task definition  stockwiz-gateway:2" in text


def test_ecs_status_names_an_unknown_cluster(ecs):
    with pytest.raises(CommandError, match="ECS cluster 'nope' not found"):
        run("ecs_status", "--cluster", "nope")


def test_ecs_rollback_goes_to_the_previous_revision_and_waits(ecs):
    out, _ = run(
        "ecs_rollback", "--cluster", "stockwiz", "--service", "gateway", "--wait"
    )

    assert out.splitlines() == [
        "gateway: deploying stockwiz-gateway:1 (was stockwiz-gateway:2)",
        "gateway: stable",
    ]
    assert running_revision(ecs) == "stockwiz-gateway:1"


def test_ecs_rollback_to_a_named_revision(ecs):
    run(
        "ecs_rollback",
        "--cluster",
        "stockwiz",
        "--service",
        "gateway",
        "--to-revision",
        "1",
    )
    out, _ = run(
        "ecs_rollback",
        "--cluster",
        "stockwiz",
        "--service",
        "gateway",
        "--to-revision",
        "2",
        "--json",
    )

    assert json.loads(out)["to"] == "stockwiz-gateway:2"
    assert running_revision(ecs) == "stockwiz-gateway:2"


def test_ecs_rollback_with_an_image_tag_registers_a_copy(ecs):
    """Only the application image changes tag; the sidecar keeps its own."""
    out, _ = run(
        "ecs_rollback",
        "--cluster",
        "stockwiz",
        "--service",
        "gateway",
        "--image-tag",
        "v0-hotfix",
        "--json",
    )

    assert json.loads(out)["to"] == "stockwiz-gateway:3"
    assert running_revision(ecs) == "stockwiz-gateway:3"
    definition = ecs.describe_task_definition(taskDefinition="stockwiz-gateway:3")
    containers = definition["taskDefinition"]["containerDefinitions"]
    assert [c["image"] for c in containers] == [
        "registry:5000/stockwiz:v0-hotfix",
        "public/agent:7",
    ]
    assert definition["taskDefinition"]["cpu"] == "256"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--service", "nope"], "ECS service 'nope' not found in cluster 'stockwiz'"),
        (
            ["--service", "gateway", "--to-revision", "9"],
            "stockwiz-gateway:9 not found",
        ),
        (["--service", "gateway", "--image-tag", "bad tag"], "not a valid image tag"),
    ],
)
def test_ecs_rollback_refuses_unknown_targets(ecs, arguments, message):
    with pytest.raises(CommandError, match=message):
        run("ecs_rollback", "--cluster", "stockwiz", *arguments)
    assert running_revision(ecs) == "stockwiz-gateway:2"


def test_ecs_rollback_without_an_older_revision(ecs):
    run("ecs_rollback", "--cluster", "stockwiz", "--service", "gateway")

    with pytest.raises(
        CommandError, match="No active revision of stockwiz-gateway older"
    ):
        run("ecs_rollback", "--cluster", "stockwiz", "--service", "gateway")


def test_ecs_rollback_wait_gives_up_after_the_timeout(ecs):
    """A rollout that does not settle ends the wait with a clear error."""
    # moto starts a service with none of its desired tasks running.
    ecs.create_service(
        cluster="stockwiz",
        serviceName="worker",
        taskDefinition="stockwiz-gateway:2",
        desiredCount=2,
    )

    with pytest.raises(CommandError, match=r"worker not stable after 0\.5 s"):
        run(
            "ecs_rollback",
            "--cluster",
            "stockwiz",
            "--service",
            "worker",
            "--wait",
            "--timeout",
            "0.5",
        )


def test_ecs_commands_report_missing_credentials(ecs, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)

    with pytest.raises(CommandError, match="No AWS credentials found"):
        run("ecs_status", "--cluster", "stockwiz")
    with pytest.raises(CommandError, match="No AWS credentials found"):
        run("ecs_rollback", "--cluster", "stockwiz", "--service", "gateway")


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("registry:5000/stockwiz:v2", "registry:5000/stockwiz"),
        ("registry:5000/stockwiz", "registry:5000/stockwiz"),
        (
            "1234.dkr.ecr.eu-west-1.amazonaws.com/sw@sha256:abc",
            "1234.dkr.ecr.eu-west-1.amazonaws.com/sw",
        ),
        ("nginx", "nginx"),
    ],
)
def test_image_repository_strips_tag_and_digest_only(image, repository):
    assert image_repository(image) == repository


@pytest.mark.parametrize(
    "command",
    [
        "wait_for_db",
        "seed_demo",
        "import_products",
        "export_stock",
        "low_stock",
        "stock_audit",
        "ecs_status",
        "ecs_rollback",
    ],
)
def test_every_command_explains_itself(command):
    from django.core.management import load_command_class

    help_text = load_command_class("stockwiz", command).help
    assert len(help_text) > 80


@pytest.mark.django_db
def test_prune_idempotency_keys_keeps_recent_answers():
    """Answers older than --days go; recent ones stay, so a retry within
    the period still gets its first answer."""
    from datetime import timedelta

    from django.utils import timezone

    from inventory.models import IdempotencyKey
    from tests.conftest import make_user

    user = make_user("pruner", "stock_managers")
    old = IdempotencyKey.objects.create(
        user=user,
        key="old",
        request_fingerprint="x",
        response_status=200,
        response_body={},
    )
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    IdempotencyKey.objects.create(
        user=user,
        key="new",
        request_fingerprint="y",
        response_status=200,
        response_body={},
    )
    out = io.StringIO()
    call_command("prune_idempotency_keys", "--days", "7", "--json", stdout=out)
    assert json.loads(out.getvalue())["deleted"] == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_idempotency_keys", "--days", "0")
