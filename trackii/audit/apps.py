from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AuditConfig(AppConfig):
    name = "trackii.audit"
    label = "audit"
    verbose_name = gettext_lazy("Audit trail")

    def ready(self):
        from .registry import register_history

        register_history()
