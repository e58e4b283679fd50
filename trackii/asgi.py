"""ASGI entry point. Defaults to production settings, never to development ones."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.production")

application = get_asgi_application()
