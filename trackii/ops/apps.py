from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class OpsConfig(AppConfig):
    """Operating Trackii: backups, lockdown, and the staff's reports from the audit trail."""

    name = "trackii.ops"
    label = "ops"
    verbose_name = gettext_lazy("Operations")
