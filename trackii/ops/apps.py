from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating Trackii: backups, lockdown, and the staff's reports from the audit trail."""

    name = "trackii.ops"
    label = "ops"
    verbose_name = "Operations"
