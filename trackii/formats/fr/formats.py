"""French: lun 7 déc. 2026, 14:30; 7 déc. 2026 (Django's abbreviations, lower case)."""

TRACKII_DATE_TIME = "D j N Y, H:i"
TRACKII_DAY = "j N Y"
