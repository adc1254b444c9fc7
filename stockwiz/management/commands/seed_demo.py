"""A demo catalog and demo users, safe to run any number of times."""

import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from inventory import services as stock_services
from inventory.models import Movement, Stock
from products import services as product_services
from products.models import Product
from stockwiz import cache
from stockwiz.management.commands._progress import Progress

WAREHOUSES = ("north", "south")
DEMO_PRODUCTS = [
    # sku, name, category, price, stock in north and south, reorder point
    ("SW-KB-001", "Mechanical keyboard", "peripherals", "89.00", (40, 12), 15),
    ("SW-MS-002", "Wireless mouse", "peripherals", "24.50", (120, 60), 30),
    ("SW-MN-003", '27" 4K monitor', "displays", "329.99", (8, 3), 10),
    ("SW-CB-004", "USB-C cable 2 m", "cables", "9.90", (300, 150), 100),
    ("SW-HS-005", "Noise-cancelling headset", "audio", "149.00", (5, 0), 8),
    ("SW-DK-006", "Laptop docking station", "peripherals", "189.00", (22, 18), 10),
    ("SW-WC-007", "1080p webcam", "video", "59.00", (0, 4), 6),
    ("SW-SD-008", "Standing desk mat", "furniture", "45.00", (35, 35), 10),
]
# Generated products: GEN-000001, GEN-000002, ... inserted this many at a time.
GENERATED_PREFIX = "GEN-"
GENERATED_BATCH = 2000
GENERATED_CATEGORIES = ("peripherals", "cables", "audio", "video")
GENERATED_REORDER_POINT = 10
DEMO_USERS = [
    # username, groups, superuser
    ("admin", (), True),
    ("manager", ("catalog_editors", "stock_managers"), False),
    ("viewer", ("viewers",), False),
]


class Command(BaseCommand):
    help = (
        "Create the demo catalog (products with stock in two warehouses, plus "
        "--products N generated ones) and demo users in each group. Existing "
        "demo data is kept, so running it again changes nothing but the "
        "printed passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            help="How many generated products to add on top of the demo set.",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="Password for the demo users (default: a new random one).",
        )

    def handle(self, *args, products, password, **options):
        with transaction.atomic():
            created = self._catalog(DEMO_PRODUCTS)
            created += self._generated(products)
        password = password or secrets.token_urlsafe(12)
        token = self._users(password)
        self.stdout.write(f"demo catalog ready ({created} products added)")
        self.stdout.write("log in at /login/ or /admin/ with:")
        for username, _, _ in DEMO_USERS:
            self.stdout.write(f"  {username} / {password}")
        self.stdout.write(f"API token (admin): {token}")

    def _catalog(self, rows):
        created = 0
        for sku, name, category, price, quantities, reorder_point in rows:
            if Product.objects.active().filter(sku=sku).exists():
                continue
            product = product_services.product_create(
                sku=sku,
                name=name,
                category=category,
                price=Decimal(price),
                description=f"Demo {category} item.",
            )
            for warehouse, quantity in zip(WAREHOUSES, quantities, strict=True):
                stock_services.stock_create(
                    product_id=product.pk,
                    warehouse=warehouse,
                    quantity=quantity,
                    reorder_point=reorder_point,
                )
            created += 1
        return created

    def _generated(self, count):
        """Add GEN-000001 ... GEN-<count> that do not exist yet, with a stock
        row and its opening movement per warehouse, in bulk: a few
        statements per thousand products instead of a dozen per product."""
        existing = set(
            Product.objects.active()
            .filter(sku__startswith=GENERATED_PREFIX)
            .values_list("sku", flat=True)
        )
        missing = [
            number
            for number in range(1, count + 1)
            if _generated_sku(number) not in existing
        ]
        with Progress(len(missing), "seeding") as bar:
            for start in range(0, len(missing), GENERATED_BATCH):
                batch = missing[start : start + GENERATED_BATCH]
                self._generated_batch(batch)
                bar.advance(len(batch))
        if missing:
            cache.bump_on_commit(cache.PRODUCTS, cache.INVENTORY)
        return len(missing)

    def _generated_batch(self, numbers):
        products = Product.objects.bulk_create(
            Product(
                sku=_generated_sku(number),
                name=f"Generated item {number}",
                category=GENERATED_CATEGORIES[number % len(GENERATED_CATEGORIES)],
                price=Decimal(f"{5 + number % 500}.{number % 100:02d}"),
                description="Generated demo item.",
            )
            for number in numbers
        )
        rows = Stock.objects.bulk_create(
            Stock(
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                reorder_point=GENERATED_REORDER_POINT,
            )
            for product, number in zip(products, numbers, strict=True)
            for warehouse, quantity in zip(
                WAREHOUSES, (number % 50, number % 30), strict=True
            )
        )
        # The opening movement of each row, as stock_create writes it, so
        # the ledger balances.
        Movement.objects.bulk_create(
            Movement(
                stock=row,
                delta=row.quantity,
                quantity_after=row.quantity,
                reason=Movement.Reason.OPENING,
            )
            for row in rows
        )

    def _users(self, password):
        User = get_user_model()
        for username, groups, superuser in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            user.is_staff = superuser or "stock_managers" in groups
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
        token, _ = Token.objects.get_or_create(user=User.objects.get(username="admin"))
        return token.key


def _generated_sku(number):
    return f"{GENERATED_PREFIX}{number:06d}"
