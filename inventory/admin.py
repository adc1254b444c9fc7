"""Stock admin for stock managers.

Quantities never change by editing a number here: the adjust action and the
stock count go through the same services as the API, so every change writes
a movement.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.http import StreamingHttpResponse
from django.shortcuts import render

from inventory import services
from inventory.models import Movement, Stock
from stockwiz.errors import DomainError


class StockInline(admin.TabularInline):
    model = Stock
    fields = ["warehouse", "quantity", "reorder_point", "last_updated"]
    readonly_fields = ["warehouse", "quantity", "reorder_point", "last_updated"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True)

    def has_add_permission(self, request, obj=None):
        return False


class LowStockFilter(admin.SimpleListFilter):
    title = "stock level"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("low", "At or under reorder point"), ("ok", "Above reorder point")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(quantity__lte=F("reorder_point"))
        if self.value() == "ok":
            return queryset.filter(quantity__gt=F("reorder_point"))
        return queryset


class AdjustForm(forms.Form):
    delta = forms.IntegerField(help_text="Units to add (positive) or remove.")
    reason = forms.ChoiceField(choices=[(r, r) for r in services.ADJUST_REASONS])
    note = forms.CharField(max_length=500, required=False)

    def clean_delta(self):
        if self.cleaned_data["delta"] == 0:
            raise forms.ValidationError("Must not be zero.")
        return self.cleaned_data["delta"]


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value):
        return value


def stock_csv_rows(rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        ["sku", "product", "warehouse", "quantity", "reorder_point", "low"]
    )
    for row in rows.select_related("product").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                row.product.sku or "",
                row.product.name,
                row.warehouse,
                row.quantity,
                row.reorder_point,
                "yes" if row.is_low else "no",
            ]
        )


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["product", "warehouse", "quantity", "reorder_point", "is_low"]
    list_filter = [LowStockFilter, "warehouse"]
    search_fields = ["product__name", "product__sku", "warehouse"]
    list_select_related = ["product"]
    readonly_fields = ["product", "warehouse", "quantity", "last_updated"]
    fields = ["product", "warehouse", "quantity", "reorder_point", "last_updated"]
    actions = ["adjust_selected", "export_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).active()

    def has_add_permission(self, request):
        return False  # rows are opened through the API or a transfer

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(boolean=True, description="low")
    def is_low(self, row):
        return row.is_low

    @admin.action(description="Adjust stock of selected rows", permissions=["change"])
    def adjust_selected(self, request, queryset):
        form = AdjustForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed = 0
            for row in queryset.order_by("pk"):
                try:
                    services.stock_adjust(
                        stock_id=row.pk,
                        user=request.user,
                        request_id=getattr(request, "request_id", ""),
                        **form.cleaned_data,
                    )
                    changed += 1
                except DomainError as error:
                    self.message_user(request, error.detail, messages.ERROR)
            if changed:
                self.message_user(request, f"Adjusted {changed} row(s).")
            return None
        return render(
            request,
            "admin/inventory/stock/adjust.html",
            {
                **self.admin_site.each_context(request),
                "title": "Adjust stock",
                "form": form,
                "rows": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description="Export selected rows as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            stock_csv_rows(queryset), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="stock.csv"'
        return response


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    """The ledger, read-only: history is never edited."""

    list_display = ["created_at", "stock", "delta", "quantity_after", "reason", "user"]
    list_filter = ["reason"]
    search_fields = ["stock__product__name", "stock__warehouse", "request_id", "note"]
    list_select_related = ["stock__product", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
