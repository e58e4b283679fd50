from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trackii.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from .registry import register_history

        register_history()
