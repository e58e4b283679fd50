"""Designation lists (sanctions and terrorist lists), versioned. An import creates a new version
and makes it current only when every line or element of the file was read; a failed import
leaves the previous version in force."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DesignationList(models.Model):
    class Format(models.TextChoices):
        UN = "un", _("UN Security Council consolidated list (XML)")
        OFAC = "ofac", _("OFAC SDN list (sdn.csv + alt.csv)")
        CSV = "csv", _("Our own list (CSV)")

    name = models.CharField(max_length=200, unique=True)
    format = models.CharField(max_length=10, choices=Format.choices)
    description = models.TextField(blank=True)
    active = models.BooleanField(
        default=True, help_text=_("Inactive lists are not screened against.")
    )
    current_version = models.ForeignKey(
        "DesignationListVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DesignationListVersion(models.Model):
    designation_list = models.ForeignKey(
        DesignationList, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_names = models.CharField(max_length=500, help_text=_("The file names imported."))
    sha256 = models.CharField(max_length=64)
    generated_on = models.CharField(
        max_length=40, blank=True, help_text=_("The date the publisher gives the list, if any.")
    )
    entry_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["designation_list_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["designation_list", "number"], name="designation_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.designation_list} v{self.number}"


class DesignationEntry(models.Model):
    """One listed individual or entity in one version of a list."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ENTITY = "entity", _("Entity")

    version = models.ForeignKey(
        DesignationListVersion, on_delete=models.CASCADE, related_name="entries"
    )
    reference = models.CharField(max_length=100, help_text=_("The list's own id, e.g. QDi.430."))
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(max_length=500)
    name_original_script = models.CharField(max_length=500, blank=True)
    birth_dates = models.JSONField(
        default=list,
        blank=True,
        help_text='Each {"year_from": int, "year_to": int, "date": "YYYY-MM-DD" or ""}.',
    )
    nationalities = models.JSONField(default=list, blank=True, help_text="ISO alpha-2 codes.")
    listed_on = models.CharField(max_length=40, blank=True)
    programme = models.CharField(max_length=200, blank=True)
    remarks = models.TextField(blank=True)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the entry's content: changes when the entry does."
    )

    class Meta:
        ordering = ["version_id", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["version", "reference"], name="designation_ref_unique"),
        ]
        indexes = [models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class DesignationAlias(models.Model):
    class Quality(models.TextChoices):
        STRONG = "strong", _("Strong (good quality)")
        WEAK = "weak", _("Weak (low quality)")

    entry = models.ForeignKey(DesignationEntry, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=500)
    quality = models.CharField(max_length=10, choices=Quality.choices, default=Quality.STRONG)

    class Meta:
        ordering = ["entry_id", "id"]

    def __str__(self) -> str:
        return self.name
