"""Spanish: lun 7 dic. 2026, 14:30; 7 dic. 2026."""

TRACKII_DATE_TIME = "D j N Y, H:i"
TRACKII_DAY = "j N Y"
