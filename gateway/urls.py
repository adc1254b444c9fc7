from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from gateway import views
from stockwiz import health
from stockwiz.api.routes import route
from stockwiz.api.schema import schema_view

# The gateway's own API paths, also listed in the public schema.
api_urlpatterns = [
    path("api/products-full", views.ProductsFullView.as_view(), name="products-full"),
    *route(
        "api/products/<id:product_id>",
        views.ProductDetailView.as_view(),
        "gateway-product-detail",
    ),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health", views.gateway_health, name="health"),
    path("ready", health.ready, name="ready"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path(
        "api/schema/",
        schema_view("stockwiz.urls.public_api"),
        name="api-schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    *api_urlpatterns,
    re_path(
        r"^api/(?P<path>(?:products|inventory)(?:/.*)?)$",
        views.ForwardView.as_view(),
        name="forward",
    ),
]
