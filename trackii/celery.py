"""The Celery application. The worker and beat must be told which settings to use
(DJANGO_SETTINGS_MODULE); without it they use production settings, which refuse to start
without their secrets, rather than silently falling back to development settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.production")

app = Celery("trackii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
