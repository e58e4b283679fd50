"""Reference data only: the confidentiality scale. Dialogue content is not administered here; it
is managed in the application, where the confidentiality module decides who sees it."""

from django.contrib import admin

from .models import ConfidentialityLevel


@admin.register(ConfidentialityLevel)
class ConfidentialityLevelAdmin(admin.ModelAdmin):
    list_display = ("rank", "name", "audience", "description")
    ordering = ("rank",)

    def has_delete_permission(self, request, obj=None):
        # Levels are referred to by every piece of material; renaming is fine, removing is not.
        return False
