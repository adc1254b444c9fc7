"""Settings for every StockWiz role, read from the environment.

Unset ``DATABASE_URL`` means SQLite in the project folder and unset
``REDIS_URL`` an in-process cache, so a fresh checkout runs with no services.
Values that production must set (``SECRET_KEY`` when ``DEBUG`` is off) have
no default and stop start-up with a clear message.
"""

import warnings
from pathlib import Path

import environ

from django.core.exceptions import ImproperlyConfigured

from stockwiz.logging import json_logging_config
from stockwiz.roles import SERVICE_NAMES, urlconf_for, validate_role

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

ROLE = validate_role(env.str("ROLE", default="all"))
SERVICE_NAME = SERVICE_NAMES[ROLE]
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(export SECRET_KEY=<a long random string>)."
        )
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# The gateway forwards the public host and scheme to the services, and the
# load balancer sets X-Forwarded-Proto; both sit in front of every role.
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "stockwiz",
    "products",
    "inventory",
    "gateway",
]

MIDDLEWARE = [
    "stockwiz.middleware.RequestContextMiddleware",
    "stockwiz.middleware.ErrorShapeMiddleware",
    "stockwiz.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if ROLE in ("product", "inventory"):
    # The services answer JSON to the gateway only: no static files, pages,
    # messages or browser-facing headers. Session and authentication stay,
    # since the dashboard's session is forwarded to them.
    MIDDLEWARE = [
        name
        for name in MIDDLEWARE
        if name
        not in (
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "csp.middleware.CSPMiddleware",
            "corsheaders.middleware.CorsMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        )
    ]
    # The admin is installed (one code base) but only the gateway serves it.
    SILENCED_SYSTEM_CHECKS = ["admin.E409"]

ROOT_URLCONF = urlconf_for(ROLE)
WSGI_APPLICATION = "stockwiz.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL through psycopg 3 in production, SQLite by default.
# On AWS the password arrives alone, as a secret managed by RDS, so the
# connection may also be given in parts (DB_HOST, DB_NAME, DB_USER, ...).
if env.str("DATABASE_URL", default="") or not env.str("DB_HOST", default=""):
    DATABASES = {
        "default": env.db(
            "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("DB_HOST"),
            "PORT": env.int("DB_PORT", default=5432),
            "NAME": env.str("DB_NAME", default="stockwiz"),
            "USER": env.str("DB_USER", default="stockwiz"),
            "PASSWORD": env.str("DB_PASSWORD", default=""),
            "OPTIONS": {"sslmode": env.str("DB_SSLMODE", default="require")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two
    # read-modify-write transactions serialize instead of losing an update.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when configured, shared by every role; otherwise in-process.
REDIS_URL = env.str("REDIS_URL", default="")
SHARED_CACHE = bool(REDIS_URL)
if SHARED_CACHE:
    CACHES = {
        "default": {
            "BACKEND": "stockwiz.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            # Separates deployments (or test runs) that share one Redis.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="stockwiz"),
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                "retry_on_timeout": False,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a cached response may live; writes invalidate it sooner.
CACHE_TTL_SECONDS = env.int("CACHE_TTL_SECONDS", default=300)

AUTHENTICATION_BACKENDS = ["stockwiz.auth.SingleQueryModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve from the app folders when static files were not collected (local runs).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
if WHITENOISE_USE_FINDERS:
    # Without collectstatic there is no STATIC_ROOT; the finders serve instead.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)

# Security headers. HSTS and secure cookies apply behind HTTPS (the load
# balancer sets X-Forwarded-Proto), so plain-HTTP local runs keep working.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
CSRF_FAILURE_VIEW = "stockwiz.api.errors.csrf_failure"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "stockwiz.api.permissions.ModelPermissions",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "stockwiz.api.pagination.OptionalLimitOffsetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "stockwiz.api.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_THROTTLE_RATES": {
        "gateway_user": env.str("RATE_LIMIT_USER", default="1200/min"),
        "gateway_address": env.str("RATE_LIMIT_ADDRESS", default="2400/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=1),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "StockWiz API",
    "DESCRIPTION": "Product catalog and stock ledger.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "PREPROCESSING_HOOKS": ["stockwiz.api.schema.drop_trailing_slash_aliases"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "stockwiz.api.schema.add_error_responses",
    ],
}

# The two services the gateway forwards to; unused by the other roles.
PRODUCT_SERVICE_URL = env.str("PRODUCT_SERVICE_URL", default="http://127.0.0.1:8001")
INVENTORY_SERVICE_URL = env.str(
    "INVENTORY_SERVICE_URL", default="http://127.0.0.1:8002"
)
UPSTREAM_CONNECT_TIMEOUT = env.float("UPSTREAM_CONNECT_TIMEOUT", default=2.0)
UPSTREAM_READ_TIMEOUT = env.float("UPSTREAM_READ_TIMEOUT", default=10.0)
UPSTREAM_HEALTH_TIMEOUT = env.float("UPSTREAM_HEALTH_TIMEOUT", default=1.0)
UPSTREAM_POOL_SIZE = env.int("UPSTREAM_POOL_SIZE", default=16)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = json_logging_config(
    LOG_LEVEL,
    loggers={
        # Requests are logged once, by stockwiz.request, with their duration.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Scanners send any Host; the 400 is in the access line already,
        # without a traceback per probe.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
)

# --- observability (CloudWatch shipping and metrics) -------------------------
# Kept below this line so it can grow without touching the settings above.


# Metrics: CloudWatch Embedded Metric Format lines on stdout, printed as they
# are (not wrapped in the log JSON) so the log driver can turn them into
# metrics. See stockwiz.metrics.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
LOGGING["formatters"]["raw"] = {"format": "%(message)s"}
LOGGING["handlers"]["metrics"] = {
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "raw",
}
LOGGING["loggers"]["stockwiz.metrics"] = {
    "handlers": ["metrics"],
    "level": "INFO",
    "propagate": False,
}

# Log shipping: with CLOUDWATCH_LOG_GROUP set, every log line also goes to
# that group, one stream per process ({role}/{hostname}-{pid}), sent in the
# background. The group itself (and its retention) is created by the
# infrastructure. AWS_ENDPOINT_URL, read by boto3, points it elsewhere (tests).
CLOUDWATCH_LOG_GROUP = env.str("CLOUDWATCH_LOG_GROUP", default="")
AWS_REGION = env.str("AWS_REGION", default="") or env.str(
    "AWS_DEFAULT_REGION", default=""
)
# Seconds a line may wait before its batch is sent.
CLOUDWATCH_SEND_INTERVAL = env.float("CLOUDWATCH_SEND_INTERVAL", default=5.0)
# Lines waiting to be sent; beyond this new lines are dropped and counted.
CLOUDWATCH_QUEUE_SIZE = env.int("CLOUDWATCH_QUEUE_SIZE", default=10_000)
if CLOUDWATCH_LOG_GROUP:
    if not AWS_REGION:
        raise ImproperlyConfigured(
            "CLOUDWATCH_LOG_GROUP is set but no region is: set AWS_REGION."
        )
    LOGGING["handlers"]["cloudwatch"] = {
        "()": "stockwiz.cloudwatch.CloudWatchHandler",
        "log_group_name": CLOUDWATCH_LOG_GROUP,
        "region": AWS_REGION,
        "send_interval": CLOUDWATCH_SEND_INTERVAL,
        "max_queue_size": CLOUDWATCH_QUEUE_SIZE,
        "formatter": "json",
        "filters": ["context"],
    }
    LOGGING["root"]["handlers"].append("cloudwatch")
