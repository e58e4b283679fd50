"""Read-only views of the trail and of the change history, for staff: no one adds, changes or
deletes an entry here. The history holds titles, so it is shown here (staff) and nowhere else."""

from auditlog.admin import LogEntryAdmin as _LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def who_saw_url(content_type, object_id) -> str:
    return reverse(
        "ops:who_saw", args=[f"{content_type.app_label}.{content_type.model}", object_id]
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "dialogue_id",
        "ip_address",
        "who_saw",
    )
    list_filter = (
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "content_type",
    )
    search_fields = ("object_id", "actor__email")
    date_hierarchy = "at"
    list_select_related = ("actor", "content_type")
    show_full_result_count = False

    @admin.display(description=gettext_lazy("Who saw it"))
    def who_saw(self, entry: AuditEntry):
        return format_html(
            '<a href="{}">{}</a>',
            who_saw_url(entry.content_type, entry.object_id),
            _("who saw it"),
        )


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin, _LogEntryAdmin):
    """auditlog's own admin, closed to every write (its default lets a cascade delete through),
    and searched by the fields our accounts have (e-mail, not first and last names)."""

    search_fields = ("object_repr", "object_pk", "actor__email", "actor_email")
    list_filter = (
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "content_type",
    )
    show_full_result_count = False
