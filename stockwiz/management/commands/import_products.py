"""Create or update catalog products from a CSV file, all or nothing."""

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from products.models import Product
from products.serializers import ProductSerializer
from stockwiz import cache
from stockwiz.management.commands._progress import Progress

REQUIRED_COLUMNS = ("sku", "name", "price")
OPTIONAL_COLUMNS = ("description", "category")
WRITE_BATCH = 1000


class InvalidFile(CommandError):
    pass


def _messages(detail):
    """``{"field": ["message", ...]}`` from a DRF validation error."""
    if isinstance(detail, dict):
        return {field: [str(m) for m in messages] for field, messages in detail.items()}
    return {"non_field_errors": [str(m) for m in detail]}


class Command(BaseCommand):
    help = (
        "Create or update products from a CSV file, matched by sku. Columns: "
        "sku, name, price (required), description, category (optional; a "
        "missing column leaves that field of existing products unchanged). "
        "Every row is checked first with the API's rules, and every bad row is "
        "reported with its line number; nothing is written unless all rows are "
        "valid, and then everything is written in one transaction. The file "
        "is streamed twice, so memory stays flat for large files. --dry-run "
        "checks and counts without writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv", help="UTF-8 CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file, write nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        columns, total = self._check_header(path)
        errors = self._validate(path, total)
        if errors:
            self._report_errors(errors, options["json"])
            raise CommandError(
                f"{len(errors)} invalid rows in {file}; nothing was imported."
            )

        try:
            with transaction.atomic():
                created, updated = self._write(path, columns, total)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    cache.bump_on_commit(cache.PRODUCTS)
        except IntegrityError as exc:
            raise CommandError(
                "Another writer took one of the SKUs during the import; nothing "
                "was imported. Run it again."
            ) from exc

        result = {
            "file": file,
            "rows": total,
            "created": created,
            "updated": updated,
            "dry_run": dry_run,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            verb = "would create" if dry_run else "created"
            self.stdout.write(
                f"{total} rows valid; {verb} {created}, "
                f"{'would update' if dry_run else 'updated'} {updated}"
            )

    def _rows(self, path):
        """``(line number, row)`` for each data row, read lazily."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                for row in reader:
                    yield reader.line_num, row
        except OSError as exc:
            raise InvalidFile(f"Cannot read {path}: {exc.strerror}") from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InvalidFile(
                f"{path} is not a readable UTF-8 CSV file: {exc}"
            ) from exc

    def _check_header(self, path):
        """The file's columns and its number of data rows; fails on a
        missing or unknown column."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle), None)
        except OSError as exc:
            raise InvalidFile(f"Cannot read {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise InvalidFile(f"{path} is not UTF-8: {exc}") from exc
        if not header:
            raise InvalidFile(f"{path} is empty; the first line must name columns.")
        columns = [column.strip() for column in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if missing or unknown:
            raise InvalidFile(
                f"{path}: missing columns {missing or 'none'}, unknown columns "
                f"{unknown or 'none'}; expected {', '.join(REQUIRED_COLUMNS)} "
                f"and optionally {', '.join(OPTIONAL_COLUMNS)}."
            )
        total = sum(1 for _ in self._rows(path))
        return [c for c in columns if c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS], total

    def _validate(self, path, total):
        """Every bad row as ``(line, sku, {field: [messages]})``."""
        # One serializer for every row: building one per row would cost more
        # than the checks themselves.
        serializer = ProductSerializer()
        first_line_of = {}
        errors = []
        with Progress(total, "checking") as bar:
            for line, row in self._rows(path):
                bar.advance()
                sku = (row.get("sku") or "").strip()
                problems = {}
                if None in row or None in row.values():
                    problems["row"] = ["Wrong number of columns."]
                else:
                    try:
                        serializer.run_validation(_clean(row))
                    except ValidationError as exc:
                        problems.update(_messages(exc.detail))
                if not sku:
                    problems.setdefault("sku", []).append("Required to match products.")
                elif sku in first_line_of:
                    problems.setdefault("sku", []).append(
                        f"Repeats the SKU of line {first_line_of[sku]}."
                    )
                else:
                    first_line_of[sku] = line
                if problems:
                    errors.append((line, sku, problems))
        return errors

    def _report_errors(self, errors, as_json):
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "valid": False,
                        "errors": [
                            {"line": line, "sku": sku, "errors": problems}
                            for line, sku, problems in errors
                        ],
                    }
                )
            )
            return
        for line, sku, problems in errors:
            reasons = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in problems.items()
            )
            self.stderr.write(f"line {line} ({sku or 'no sku'}): {reasons}")

    def _write(self, path, columns, total):
        """Upsert every row, a batch at a time; returns (created, updated)."""
        fields = [c for c in columns if c != "sku"]
        serializer = ProductSerializer()
        created = updated = 0
        batch = {}
        with Progress(total, "importing") as bar:
            for _, row in self._rows(path):
                valid = serializer.run_validation(_clean(row))
                batch[valid["sku"].strip()] = {
                    field: valid.get(field) or "" for field in fields
                }
                if len(batch) == WRITE_BATCH:
                    created, updated = _add((created, updated), _upsert(batch, fields))
                    bar.advance(len(batch))
                    batch = {}
            if batch:
                created, updated = _add((created, updated), _upsert(batch, fields))
                bar.advance(len(batch))
        return created, updated


def _upsert(values_by_sku, fields):
    """Update the active products with these SKUs, create the others;
    returns (created, updated)."""
    existing = list(
        Product.objects.active()
        .filter(sku__in=values_by_sku)
        .select_for_update()
        .order_by("pk")
    )
    now = timezone.now()
    for product in existing:
        for field, value in values_by_sku.pop(product.sku).items():
            setattr(product, field, value)
        # bulk_update() does not apply auto_now.
        product.updated_at = now
    if existing:
        _update_rows(existing, [*fields, "updated_at"])
    Product.objects.bulk_create(
        Product(sku=sku, **values) for sku, values in values_by_sku.items()
    )
    return len(values_by_sku), len(existing)


def _update_rows(products, field_names):
    """Save ``field_names`` of ``products`` in one statement.

    On PostgreSQL this is ``UPDATE ... FROM (VALUES ...)``: bulk_update()'s
    CASE expressions take tens of seconds per 100,000 rows to build and run.
    """
    if connection.vendor != "postgresql":
        Product.objects.bulk_update(products, field_names)
        return
    quote = connection.ops.quote_name
    fields = [Product._meta.get_field(name) for name in field_names]
    placeholders = ", ".join(f"%s::{field.db_type(connection)}" for field in fields)
    values = ", ".join([f"(%s::bigint, {placeholders})"] * len(products))
    columns = ", ".join(quote(field.column) for field in fields)
    assignments = ", ".join(
        f"{quote(field.column)} = new.{quote(field.column)}" for field in fields
    )
    # Only model metadata is formatted into the statement; values are
    # parameters.
    statement = (
        f"UPDATE {quote(Product._meta.db_table)} AS product SET {assignments} "  # noqa: S608
        f"FROM (VALUES {values}) AS new(id, {columns}) WHERE product.id = new.id"
    )
    parameters = [
        value
        for product in products
        for value in (
            product.pk,
            *(
                field.get_db_prep_save(getattr(product, field.attname), connection)
                for field in fields
            ),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)


def _clean(row):
    """The row with surrounding spaces removed from every value."""
    return {
        column.strip(): (value or "").strip()
        for column, value in row.items()
        if column is not None
    }


def _add(totals, more):
    return tuple(a + b for a, b in zip(totals, more, strict=True))
