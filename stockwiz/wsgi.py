"""WSGI application served by gunicorn for every web role."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockwiz.settings")

application = get_wsgi_application()
