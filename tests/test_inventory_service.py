"""The inventory API: stock rows, the movement ledger, adjust, transfer."""

import itertools

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from django.db.models import Sum

from inventory import services
from inventory.models import IdempotencyKey, Movement, Stock
from products.services import product_create
from stockwiz.errors import DomainError
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def ledger_balances(stock_id):
    total = Movement.objects.filter(stock_id=stock_id).aggregate(s=Sum("delta"))["s"]
    return total == Stock.objects.get(pk=stock_id).quantity


def test_health_names_the_service(anonymous):
    from django.test import Client

    response = Client().get("/health", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200


def test_create_row_writes_an_opening_movement(manager, product):
    response = manager.post(
        "/inventory",
        {"product_id": product.pk, "warehouse": "north", "quantity": 7},
        format="json",
    )
    assert response.status_code == 201
    row = response.json()
    assert set(row) == {
        "id",
        "product_id",
        "warehouse",
        "quantity",
        "reorder_point",
        "last_updated",
    }
    assert row["quantity"] == 7
    movement = Movement.objects.get(stock_id=row["id"])
    assert (movement.delta, movement.reason, movement.user.username) == (
        7,
        "opening",
        "manager",
    )
    assert movement.request_id


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"warehouse": "n", "quantity": 1}, "product_id"),
        ({"product_id": "x", "warehouse": "n", "quantity": 1}, "product_id"),
        ({"product_id": 1, "quantity": 1}, "warehouse"),
        ({"product_id": 1, "warehouse": "", "quantity": 1}, "warehouse"),
        ({"product_id": 1, "warehouse": "n", "quantity": -1}, "quantity"),
        ({"product_id": 1, "warehouse": "n", "quantity": 1.5}, "quantity"),
        ({"product_id": 1, "warehouse": "n", "quantity": 10**12}, "quantity"),
        (
            {"product_id": 1, "warehouse": "n", "quantity": 1, "reorder_point": -2},
            "reorder_point",
        ),
    ],
)
def test_invalid_row_is_refused(manager, product, payload, field):
    assert_error(
        manager.post("/inventory", payload, format="json"),
        400,
        "validation_error",
        field,
    )
    assert Stock.objects.count() == 0


def test_row_for_unknown_or_archived_product_is_400(manager, editor, product):
    payload = {"product_id": 424242, "warehouse": "n", "quantity": 1}
    assert_error(
        manager.post("/inventory", payload, format="json"),
        400,
        "validation_error",
        "product_id",
    )
    editor.delete(f"/products/{product.pk}")
    payload["product_id"] = product.pk
    assert_error(
        manager.post("/inventory", payload, format="json"),
        400,
        "validation_error",
        "product_id",
    )


def test_duplicate_row_conflicts(manager, stock):
    payload = {"product_id": stock.product_id, "warehouse": "north", "quantity": 1}
    assert_error(
        manager.post("/inventory", payload, format="json"), 409, "duplicate_stock"
    )


def test_list_filters(viewer, stock, product):
    other = product_create(name="Mouse", price="5.00")
    services.stock_create(
        product_id=other.pk, warehouse="south", quantity=50, reorder_point=1
    )
    assert len(viewer.get("/inventory").json()) == 2
    assert [
        r["product_id"]
        for r in viewer.get("/inventory", {"product_id": f"{product.pk}"}).json()
    ] == [product.pk]
    both = viewer.get("/inventory", {"product_id": f"{product.pk},{other.pk}"}).json()
    assert len(both) == 2
    assert [
        r["warehouse"] for r in viewer.get("/inventory", {"warehouse": "south"}).json()
    ] == ["south"]
    services.stock_adjust(stock_id=stock.pk, delta=-8, reason="sale")
    low = viewer.get("/inventory", {"low_stock": "true"}).json()
    assert [r["id"] for r in low] == [stock.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"product_id": "a,b"},
        {"product_id": ","},
        {"low_stock": "maybe"},
        {"limit": "x"},
    ],
)
def test_bad_filter_is_400(viewer, query):
    assert_error(viewer.get("/inventory", query), 400, "validation_error")


def test_empty_list_is_an_empty_array(viewer):
    assert viewer.get("/inventory").json() == []
    assert viewer.get("/inventory/low-stock").json() == []


def test_get_row_and_404(viewer, stock):
    assert viewer.get(f"/inventory/{stock.pk}").json()["quantity"] == 10
    assert_error(viewer.get("/inventory/987654"), 404, "not_found")


def test_product_summary(viewer, stock):
    services.stock_create(product_id=stock.product_id, warehouse="south", quantity=25)
    body = viewer.get(f"/inventory/product/{stock.product_id}").json()
    assert body["product_id"] == stock.product_id
    assert body["quantity"] == 35
    assert body["warehouse"] == "south"
    assert [row["warehouse"] for row in body["warehouses"]] == ["north", "south"]
    assert_error(viewer.get("/inventory/product/55555"), 404, "not_found")


def test_count_sets_quantity_and_records_the_difference(manager, stock):
    response = manager.put(
        f"/inventory/{stock.pk}", {"quantity": 4, "note": "cycle count"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["quantity"] == 4
    latest = Movement.objects.filter(stock=stock).first()
    assert (latest.delta, latest.reason, latest.note) == (-6, "count", "cycle count")
    assert ledger_balances(stock.pk)


def test_update_warehouse_and_reorder_point(manager, stock):
    response = manager.patch(
        f"/inventory/{stock.pk}",
        {"warehouse": "east", "reorder_point": 9},
        format="json",
    )
    assert response.json()["warehouse"] == "east"
    assert response.json()["reorder_point"] == 9
    assert Movement.objects.filter(stock=stock).count() == 1  # no quantity change


def test_update_errors(manager, stock):
    services.stock_create(product_id=stock.product_id, warehouse="south", quantity=0)
    assert_error(
        manager.patch(f"/inventory/{stock.pk}", {"warehouse": "south"}, format="json"),
        409,
        "duplicate_stock",
    )
    assert_error(
        manager.patch(f"/inventory/{stock.pk}", {}, format="json"),
        400,
        "validation_error",
    )
    assert_error(
        manager.patch(f"/inventory/{stock.pk}", {"quantity": -1}, format="json"),
        400,
        "validation_error",
        "quantity",
    )
    assert_error(
        manager.patch("/inventory/77777", {"quantity": 1}, format="json"),
        404,
        "not_found",
    )


def test_delete_row(manager, viewer, stock):
    assert_error(manager.delete(f"/inventory/{stock.pk}"), 409, "stock_on_hand")
    manager.put(f"/inventory/{stock.pk}", {"quantity": 0}, format="json")
    assert manager.delete(f"/inventory/{stock.pk}").status_code == 204
    assert_error(viewer.get(f"/inventory/{stock.pk}"), 404, "not_found")
    assert viewer.get(f"/inventory/{stock.pk}/movements").status_code == 200
    assert_error(manager.delete(f"/inventory/{stock.pk}"), 404, "not_found")


def test_adjust_changes_quantity_and_writes_a_movement(manager, stock):
    response = manager.post(
        f"/inventory/{stock.pk}/adjust",
        {"delta": -4, "reason": "sale", "note": "order 17"},
        format="json",
        HTTP_X_REQUEST_ID="req-adjust-1",
    )
    assert response.status_code == 200
    assert response.json()["quantity"] == 6
    movement = Movement.objects.filter(stock=stock).first()
    assert (movement.delta, movement.quantity_after, movement.reason) == (-4, 6, "sale")
    assert (movement.note, movement.request_id) == ("order 17", "req-adjust-1")


def test_adjust_below_zero_is_refused_and_changes_nothing(manager, stock):
    response = manager.post(
        f"/inventory/{stock.pk}/adjust", {"delta": -11, "reason": "sale"}, format="json"
    )
    body = assert_error(response, 409, "insufficient_stock")
    assert body["meta"]["available"] == 10
    assert body["meta"]["requested"] == 11
    stock.refresh_from_db()
    assert stock.quantity == 10
    assert Movement.objects.filter(stock=stock).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"delta": 0, "reason": "sale"}, "delta"),
        ({"delta": "many", "reason": "sale"}, "delta"),
        ({"delta": 1.5, "reason": "sale"}, "delta"),
        ({"delta": "3", "reason": "sale"}, "delta"),
        ({"delta": True, "reason": "sale"}, "delta"),
        ({"delta": 1, "reason": "sale", "note": 5}, "note"),
        ({"delta": 1, "reason": "theft"}, "reason"),
        ({"delta": 1}, "reason"),
        ({"reason": "sale"}, "delta"),
        ({"delta": 1, "reason": "receipt", "note": "n" * 501}, "note"),
    ],
)
def test_invalid_adjust_is_400(manager, stock, payload, field):
    response = manager.post(f"/inventory/{stock.pk}/adjust", payload, format="json")
    assert_error(response, 400, "validation_error", field)


def test_adjust_overflow_is_400(manager, stock):
    response = manager.post(
        f"/inventory/{stock.pk}/adjust",
        {"delta": 1_999_999_995, "reason": "receipt"},
        format="json",
    )
    assert_error(response, 400, "validation_error", "delta")


def test_adjust_missing_row_is_404(manager):
    assert_error(
        manager.post(
            "/inventory/31337/adjust", {"delta": 1, "reason": "receipt"}, format="json"
        ),
        404,
        "not_found",
    )


def test_viewer_cannot_adjust(viewer, stock):
    assert_error(
        viewer.post(
            f"/inventory/{stock.pk}/adjust",
            {"delta": 1, "reason": "receipt"},
            format="json",
        ),
        403,
        "permission_denied",
    )


def test_idempotent_adjust_applies_once(manager, stock):
    payload = {"delta": -3, "reason": "sale"}
    first = manager.post(
        f"/inventory/{stock.pk}/adjust",
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-9",
    )
    second = manager.post(
        f"/inventory/{stock.pk}/adjust",
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-9",
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    stock.refresh_from_db()
    assert stock.quantity == 7
    conflict = manager.post(
        f"/inventory/{stock.pk}/adjust",
        {"delta": -1, "reason": "sale"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-9",
    )
    assert_error(conflict, 409, "idempotency_conflict")
    stock.refresh_from_db()
    assert stock.quantity == 7


def test_refused_idempotent_request_can_be_retried(manager, stock):
    payload = {"delta": -20, "reason": "sale"}
    refused = manager.post(
        f"/inventory/{stock.pk}/adjust",
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert refused.status_code == 409
    assert not IdempotencyKey.objects.filter(key="k-2").exists()
    manager.post(
        f"/inventory/{stock.pk}/adjust",
        {"delta": 15, "reason": "receipt"},
        format="json",
    )
    retried = manager.post(
        f"/inventory/{stock.pk}/adjust",
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert retried.status_code == 200
    assert retried.json()["quantity"] == 5


def test_overlong_idempotency_key_is_400(manager, stock):
    response = manager.post(
        f"/inventory/{stock.pk}/adjust",
        {"delta": 1, "reason": "receipt"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 300,
    )
    assert_error(response, 400, "validation_error", "Idempotency-Key")


def test_transfer_moves_units_and_opens_the_receiving_row(manager, stock):
    payload = {
        "product_id": stock.product_id,
        "from_warehouse": "north",
        "to_warehouse": "south",
        "quantity": 4,
    }
    response = manager.post(
        "/inventory/transfer", payload, format="json", HTTP_IDEMPOTENCY_KEY="t-1"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["from"]["quantity"], body["to"]["quantity"]) == (6, 4)
    assert body["to"]["warehouse"] == "south"
    again = manager.post(
        "/inventory/transfer", payload, format="json", HTTP_IDEMPOTENCY_KEY="t-1"
    )
    assert again.json() == body
    assert ledger_balances(body["from"]["id"])
    assert ledger_balances(body["to"]["id"])
    reasons = set(
        Movement.objects.filter(
            stock_id__in=[body["from"]["id"], body["to"]["id"]]
        ).values_list("reason", flat=True)
    )
    assert {"transfer_out", "transfer_in"} <= reasons


def test_transfer_errors(manager, stock):
    base = {
        "product_id": stock.product_id,
        "from_warehouse": "north",
        "to_warehouse": "south",
    }
    body = assert_error(
        manager.post("/inventory/transfer", {**base, "quantity": 11}, format="json"),
        409,
        "insufficient_stock",
    )
    assert body["meta"]["available"] == 10
    assert not Stock.objects.filter(warehouse="south", quantity__gt=0).exists()
    assert_error(
        manager.post("/inventory/transfer", {**base, "quantity": 0}, format="json"),
        400,
        "validation_error",
        "quantity",
    )
    assert_error(
        manager.post(
            "/inventory/transfer",
            {**base, "to_warehouse": "north", "quantity": 1},
            format="json",
        ),
        400,
        "validation_error",
        "to_warehouse",
    )
    assert_error(
        manager.post(
            "/inventory/transfer",
            {**base, "from_warehouse": "nowhere", "quantity": 1},
            format="json",
        ),
        404,
        "not_found",
    )


def test_movements_newest_first(viewer, stock):
    services.stock_adjust(stock_id=stock.pk, delta=5, reason="receipt")
    services.stock_adjust(stock_id=stock.pk, delta=-2, reason="damage", note="dropped")
    movements = viewer.get(f"/inventory/{stock.pk}/movements").json()
    assert [m["delta"] for m in movements] == [-2, 5, 10]
    assert set(movements[0]) == {
        "id",
        "delta",
        "quantity_after",
        "reason",
        "note",
        "user",
        "request_id",
        "created_at",
    }
    page = viewer.get(f"/inventory/{stock.pk}/movements", {"limit": 1}).json()
    assert page["count"] == 3
    assert_error(viewer.get("/inventory/424242/movements"), 404, "not_found")


def test_low_stock_largest_shortfall_first(viewer, product):
    a = services.stock_create(
        product_id=product.pk, warehouse="a", quantity=4, reorder_point=5
    )
    b = services.stock_create(
        product_id=product.pk, warehouse="b", quantity=0, reorder_point=8
    )
    services.stock_create(
        product_id=product.pk, warehouse="c", quantity=50, reorder_point=5
    )
    assert [row["id"] for row in viewer.get("/inventory/low-stock").json()] == [
        b.pk,
        a.pk,
    ]


def test_archived_product_stock_leaves_reads(viewer, editor, manager, stock):
    manager.put(f"/inventory/{stock.pk}", {"quantity": 0}, format="json")
    assert editor.delete(f"/products/{stock.product_id}").status_code == 204
    assert viewer.get("/inventory").json() == []


@pytest.mark.parametrize("path", ["/inventory", "/inventory/low-stock", "/products"])
def test_list_endpoints_make_a_fixed_number_of_queries(
    viewer, product, django_assert_max_num_queries, path
):
    """N+1 guard: the query count does not grow with the number of rows."""
    for n in range(30):
        p = product_create(name=f"p{n}", price="1.00")
        services.stock_create(
            product_id=p.pk, warehouse="w", quantity=n % 3, reorder_point=1
        )
    with django_assert_max_num_queries(6):
        response = viewer.get(path)
    assert response.status_code == 200
    assert len(response.json()) >= 10


def test_permission_check_is_one_query(viewer, product, django_assert_num_queries):
    """A read costs three queries: the token, the caller's permissions (the
    user's and the groups' at once), and the product itself."""
    with django_assert_num_queries(3):
        assert viewer.get(f"/products/{product.pk}").status_code == 200


def test_movements_list_query_count(viewer, stock, django_assert_max_num_queries):
    for _ in range(25):
        services.stock_adjust(stock_id=stock.pk, delta=1, reason="receipt")
    with django_assert_max_num_queries(6):
        assert len(viewer.get(f"/inventory/{stock.pk}/movements").json()) == 26


_examples = itertools.count()
operations = st.lists(
    st.one_of(
        st.tuples(st.just("adjust"), st.sampled_from([0, 1]), st.integers(-30, 30)),
        st.tuples(st.just("transfer"), st.sampled_from([0, 1]), st.integers(1, 30)),
        st.tuples(st.just("count"), st.sampled_from([0, 1]), st.integers(0, 40)),
    ),
    max_size=25,
)


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_ledger_always_balances(product, ops):
    """After any sequence of operations, each row's movements sum to its
    quantity and no quantity is negative; refused operations change nothing."""
    # Hypothesis runs every example in the same test transaction: fresh
    # warehouse names keep the examples apart.
    run = next(_examples)
    warehouses = [f"a-{run}", f"b-{run}"]
    rows = [
        services.stock_create(product_id=product.pk, warehouse=w, quantity=10)
        for w in warehouses
    ]
    for kind, index, amount in ops:
        try:
            if kind == "adjust" and amount != 0:
                services.stock_adjust(
                    stock_id=rows[index].pk, delta=amount, reason="correction"
                )
            elif kind == "transfer":
                services.stock_transfer(
                    product_id=product.pk,
                    from_warehouse=warehouses[index],
                    to_warehouse=warehouses[1 - index],
                    quantity=amount,
                )
            elif kind == "count":
                services.stock_update(stock_id=rows[index].pk, quantity=amount)
        except DomainError:
            pass
    for row in rows:
        row.refresh_from_db()
        assert row.quantity >= 0
        assert ledger_balances(row.pk)
