"""Products joined with their stock, built from the two services' answers.

The number of upstream calls is fixed whatever the catalog size: one for the
products, one for the stock rows, made concurrently.
"""

from gateway.upstream import call_all, upstreams
from stockwiz.api.pagination import with_path


def mark_degraded(response):
    """Tell the client the stock data is missing from this answer."""
    response["X-Degraded"] = "inventory"
    return response


def inventory_summary(rows):
    """``{"quantity": total, "warehouse": the one holding most}`` or None."""
    if not rows:
        return None
    top = max(rows, key=lambda row: (row["quantity"], -row["id"]))
    return {
        "quantity": sum(row["quantity"] for row in rows),
        "warehouse": top["warehouse"],
    }


def _rows_by_product(stock_rows):
    grouped = {}
    for row in stock_rows:
        grouped.setdefault(row["product_id"], []).append(row)
    return grouped


def _stock_rows(answer):
    """The stock rows of an inventory answer, or None when it failed."""
    if isinstance(answer, Exception) or not answer.ok:
        return None
    return answer.json()


def product_with_inventory(product_id, headers):
    """``(upstream answer or error, body or None, degraded)`` for one product."""
    services = upstreams()
    product, stock = call_all(
        [
            (
                services["product"],
                {
                    "method": "GET",
                    "path": f"/products/{product_id}",
                    "headers": headers,
                },
            ),
            (
                services["inventory"],
                {
                    "method": "GET",
                    "path": "/inventory",
                    "query": f"product_id={product_id}",
                    "headers": headers,
                },
            ),
        ]
    )
    if isinstance(product, Exception):
        raise product
    if not product.ok:
        return product, None, False
    rows = _stock_rows(stock)
    body = product.json()
    body["inventory"] = inventory_summary(rows) if rows is not None else None
    return product, body, rows is None


def products_full(query, headers, *, public_path):
    """``(upstream answer or error, list or None, degraded)`` for the catalog;
    page links point at ``public_path``."""
    services = upstreams()
    products, stock = call_all(
        [
            (
                services["product"],
                {
                    "method": "GET",
                    "path": "/products",
                    "query": query,
                    "headers": headers,
                },
            ),
            (
                services["inventory"],
                {"method": "GET", "path": "/inventory", "headers": headers},
            ),
        ]
    )
    if isinstance(products, Exception):
        raise products
    if not products.ok:
        return products, None, False
    rows = _stock_rows(stock)
    grouped = _rows_by_product(rows or [])
    catalog = products.json()
    if isinstance(catalog, dict):
        for link in ("next", "previous"):
            if catalog[link]:
                catalog[link] = with_path(catalog[link], public_path)
    items = catalog["results"] if isinstance(catalog, dict) else catalog
    for item in items:
        item["inventory"] = (
            inventory_summary(grouped.get(item["id"])) if rows is not None else None
        )
    return products, catalog, rows is None
