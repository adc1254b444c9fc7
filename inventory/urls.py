from django.urls import path

from inventory import views
from stockwiz.api.routes import route
from stockwiz.api.schema import schema_view

urlpatterns = [
    *route("inventory", views.InventoryListView.as_view(), "stock-list"),
    *route("inventory/low-stock", views.LowStockView.as_view(), "low-stock"),
    *route("inventory/transfer", views.StockTransferView.as_view(), "transfer"),
    *route(
        "inventory/product/<id:product_id>",
        views.ProductStockView.as_view(),
        "product-stock",
    ),
    *route(
        "inventory/<id:stock_id>", views.InventoryDetailView.as_view(), "stock-detail"
    ),
    *route("inventory/<id:stock_id>/adjust", views.StockAdjustView.as_view(), "adjust"),
    *route(
        "inventory/<id:stock_id>/movements",
        views.MovementListView.as_view(),
        "movements",
    ),
]

schema_urlpatterns = [
    path(
        "inventory/schema/",
        schema_view("stockwiz.urls.inventory_api"),
        name="inventory-schema",
    ),
]
