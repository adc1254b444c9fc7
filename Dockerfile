# StockWiz: one image for every process. The ROLE environment variable picks
# what a container runs (product, inventory, gateway, all or migrate); see
# deploy/entrypoint.sh. Build and run instructions are in the README.

# Limitation: the base image is pinned by exact tag only, not by digest: the
# digest could not be read from the registry where this file was written.
# Before relying on the image in production, append the digest that
# `docker buildx imagetools inspect python:3.12.12-slim-bookworm` prints
# (`FROM python:3.12.12-slim-bookworm@sha256:...`) to both FROM lines.

# --- build: the pinned runtime dependencies in a virtual environment --------
FROM python:3.12.12-slim-bookworm AS build

# Wheels only: the runtime needs no compiler (psycopg ships its own libpq),
# and a dependency without a wheel should fail the build, not compile.
COPY requirements/base.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        --only-binary=:all: --requirement /tmp/requirements.txt

# --- runtime ----------------------------------------------------------------
FROM python:3.12.12-slim-bookworm AS runtime

# HOST: gunicorn binds 127.0.0.1 by default; in a container it must listen on
# every interface. STATIC_MANIFEST serves the hashed, compressed files that
# collectstatic wrote below, so the app folders are never searched at run time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    TMPDIR=/tmp \
    DJANGO_SETTINGS_MODULE=stockwiz.settings \
    HOST=0.0.0.0 \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=1 \
    WHITENOISE_USE_FINDERS=0

RUN groupadd --system --gid 10001 stockwiz \
    && useradd --system --no-log-init --uid 10001 --gid stockwiz \
        --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin stockwiz

COPY --from=build /opt/venv /opt/venv

# Only what runs is copied, owned by root so the app cannot change its own
# code. A new top-level Django app must be added here.
WORKDIR /app
COPY manage.py ./
COPY deploy deploy
COPY stockwiz stockwiz
COPY products products
COPY inventory inventory
COPY gateway gateway

# Static files and bytecode are written once here, because the root
# filesystem is read-only at run time. The SECRET_KEY is a placeholder that
# only this command sees: collectstatic signs nothing, but settings refuse to
# load without a key when DEBUG is off.
RUN SECRET_KEY=collectstatic-build-only python manage.py collectstatic \
        --noinput --verbosity 0 \
    && python -m compileall -q manage.py stockwiz products inventory gateway

USER 10001:10001
EXPOSE 8000

# Liveness of the web roles; a migrate container exits before the first probe.
# The probe's Host is 127.0.0.1, so ALLOWED_HOSTS must keep it (the default
# does) for this check to pass.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["deploy/entrypoint.sh"]
