"""Catalog admin: products with their stock; deleting archives."""

from django.contrib import admin, messages
from django.db.models import Q, Sum

from inventory.admin import StockInline
from products.models import Product
from products.services import product_archive
from stockwiz.errors import DomainError


class ArchivedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("archived", "Archived")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "category", "price", "total_stock", "archived_at"]
    list_filter = ["category", ArchivedFilter]
    search_fields = ["name", "sku", "description"]
    readonly_fields = ["created_at", "updated_at", "archived_at", "total_stock"]
    inlines = [StockInline]
    actions = ["archive_selected"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                stock_total=Sum(
                    "stock_rows__quantity",
                    filter=Q(stock_rows__archived_at__isnull=True),
                )
            )
        )

    @admin.display(description="total stock", ordering="stock_total")
    def total_stock(self, product):
        return getattr(product, "stock_total", None) or 0

    def get_actions(self, request):
        # Hard deletes would lose the stock history: archiving replaces them.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        product_archive(product_id=obj.pk)

    @admin.action(description="Archive selected products", permissions=["delete"])
    def archive_selected(self, request, queryset):
        archived = 0
        for product in queryset.filter(archived_at__isnull=True):
            try:
                product_archive(product_id=product.pk)
                archived += 1
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
        if archived:
            self.message_user(request, f"Archived {archived} product(s).")
