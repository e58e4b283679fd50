"""Reference data only: the confidentiality scale, shown read-only. Dialogue content is not
administered here; it is managed in the application, where the confidentiality module decides
who sees it. The scale changes only through the staff page (``/staff/scale/``), where one member
of staff asks and another confirms."""

from django.contrib import admin

from .models import ConfidentialityLevel


@admin.register(ConfidentialityLevel)
class ConfidentialityLevelAdmin(admin.ModelAdmin):
    list_display = ("rank", "name", "audience", "description")
    ordering = ("rank",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Levels are referred to by every piece of material: never removed.
        return False
