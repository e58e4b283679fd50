"""Lockdowns, read-only: they are ordered from the staff page (/staff/people/.../lockdown/)."""

from django.contrib import admin

from trackii.audit.admin import ReadOnlyAdmin

from .models import Lockdown


@admin.register(Lockdown)
class LockdownAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "person_id",
        "by",
        "sessions_ended",
        "calendar_secret_renewed",
        "account_deactivated",
    )
    list_select_related = ("by",)
    search_fields = ("by__email", "person__email", "person__user__email")
    date_hierarchy = "at"
