"""WSGI entry point for gunicorn. Defaults to production settings, never to development ones."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.production")

application = get_wsgi_application()
