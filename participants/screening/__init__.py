"""Screening nominees against designation lists: importing the lists (``importers``), matching
names (``matching``, pure: no database), screening against the lists in force (``runner``).
Other code uses ``runner`` and ``importers`` (and ``matching``'s value types); vetting cases use
it through ``participants.vetting.services``. The management commands ``import_designations``
and ``screen_name`` (in ``participants/management/commands/``, where Django finds them) are
thin wrappers over ``importers`` and ``runner``."""
