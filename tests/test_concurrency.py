"""Many clients changing the same stock rows at once, on real PostgreSQL.

Each client is a thread with its own database connection, calling the API
through the full Django stack; the transactions really commit.
"""

import random
import threading
from collections import Counter

import pytest

from django.db import connection
from django.db.models import Sum

from inventory import services
from inventory.models import Movement, Stock
from products.services import product_create
from tests.conftest import client_for, make_user

CLIENTS = 24
OPERATIONS_PER_CLIENT = 20


def run_clients(worker):
    """Run ``worker(index)`` on CLIENTS threads released together."""
    barrier = threading.Barrier(CLIENTS)
    failures = []

    def body(index):
        try:
            barrier.wait(timeout=30)
            worker(index)
        except Exception as exc:  # noqa: BLE001 (reported by the test)
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert failures == []


def assert_ledger_balances(*rows):
    for row in rows:
        row.refresh_from_db()
        total = Movement.objects.filter(stock=row).aggregate(s=Sum("delta"))["s"]
        assert row.quantity >= 0
        assert total == row.quantity, f"ledger of row {row.pk} is off"


@pytest.mark.django_db(transaction=True)
def test_concurrent_adjusts_and_transfers_lose_nothing():
    """24 clients adjusting and transferring between the same two rows in
    both directions: every successful change is in the final quantities,
    none is negative, and the ledger balances."""
    user = make_user("concurrent", "stock_managers")
    product = product_create(name="Hot item", price="3.00")
    north = services.stock_create(product_id=product.pk, warehouse="north", quantity=60)
    south = services.stock_create(product_id=product.pk, warehouse="south", quantity=60)
    rows = {"north": north, "south": south}
    applied = Counter()  # warehouse -> net change that the API confirmed
    statuses = Counter()
    lock = threading.Lock()

    def worker(index):
        client = client_for(user)
        rng = random.Random(index)
        for _ in range(OPERATIONS_PER_CLIENT):
            source = rng.choice(["north", "south"])
            target = "south" if source == "north" else "north"
            kind = rng.choice(["sale", "receipt", "transfer", "transfer"])
            if kind == "transfer":
                quantity = rng.randint(1, 6)
                response = client.post(
                    "/inventory/transfer",
                    {
                        "product_id": product.pk,
                        "from_warehouse": source,
                        "to_warehouse": target,
                        "quantity": quantity,
                    },
                    format="json",
                )
                ok = response.status_code == 200
                change = {source: -quantity, target: quantity} if ok else {}
            else:
                delta = -rng.randint(1, 8) if kind == "sale" else rng.randint(1, 3)
                response = client.post(
                    f"/inventory/{rows[source].pk}/adjust",
                    {"delta": delta, "reason": kind},
                    format="json",
                )
                change = {source: delta} if response.status_code == 200 else {}
            with lock:
                statuses[response.status_code] += 1
                applied.update(change)

    run_clients(worker)

    assert set(statuses) <= {200, 409}, statuses
    assert statuses[409] > 0, "the test did not drive any row to its limit"
    assert_ledger_balances(north, south)
    for name, row in rows.items():
        assert row.quantity == 60 + applied[name], f"an update to {name} was lost"
    changes = Movement.objects.filter(stock__in=[north, south]).exclude(
        reason="opening"
    )
    assert changes.values("request_id").distinct().count() == statuses[200]


@pytest.mark.django_db(transaction=True)
def test_successful_decrements_equal_the_drop_in_stock():
    """24 clients each trying to sell one unit 20 times from a row of 150:
    exactly 150 sales succeed, every other one is refused with 409, and the
    row ends at zero."""
    user = make_user("sellers", "stock_managers")
    product = product_create(name="Scarce item", price="9.00")
    row = services.stock_create(product_id=product.pk, warehouse="north", quantity=150)
    statuses = Counter()
    lock = threading.Lock()

    def worker(index):
        client = client_for(user)
        for _ in range(OPERATIONS_PER_CLIENT):
            response = client.post(
                f"/inventory/{row.pk}/adjust",
                {"delta": -1, "reason": "sale"},
                format="json",
            )
            with lock:
                statuses[response.status_code] += 1

    run_clients(worker)

    assert statuses == {200: 150, 409: CLIENTS * OPERATIONS_PER_CLIENT - 150}
    row.refresh_from_db()
    assert row.quantity == 0
    assert Movement.objects.filter(stock=row, reason="sale").count() == 150
    assert_ledger_balances(row)


@pytest.mark.django_db(transaction=True)
def test_concurrent_idempotent_retries_apply_once():
    """The same adjust sent by 24 clients at once with one Idempotency-Key
    is applied exactly once and every client gets the same answer."""
    user = make_user("retrier", "stock_managers")
    product = product_create(name="Retried item", price="1.00")
    row = services.stock_create(product_id=product.pk, warehouse="north", quantity=100)
    answers = []
    lock = threading.Lock()

    def worker(index):
        response = client_for(user).post(
            f"/inventory/{row.pk}/adjust",
            {"delta": -7, "reason": "sale"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="same-order",
        )
        with lock:
            answers.append((response.status_code, response.json()["quantity"]))

    run_clients(worker)

    assert set(answers) == {(200, 93)}
    row.refresh_from_db()
    assert row.quantity == 93
    assert Stock.objects.get(pk=row.pk).movements.filter(reason="sale").count() == 1
