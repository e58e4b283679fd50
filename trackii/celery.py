"""The Celery application. The worker and beat must be told which settings to use
(DJANGO_SETTINGS_MODULE); without it they use production settings, which refuse to start
without their secrets, rather than silently falling back to development settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings.production")

app = Celery("trackii")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_packages() -> list[str]:
    """Every package of our apps that holds a ``tasks`` module: each app, and each feature
    package inside it (``dialogues.briefing``...), so a feature's tasks are found where they
    live, without a list to keep."""
    import importlib.util
    import pkgutil

    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith(("dialogues", "participants", "trackii")):
            continue
        found.append(config.name)
        module = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{config.name}."):
            if info.ispkg and importlib.util.find_spec(f"{info.name}.tasks") is not None:
                found.append(info.name)
    return found


app.autodiscover_tasks(task_packages)
