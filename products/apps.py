from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = "Product catalog"

    def ready(self):
        from products import signals  # noqa: F401
