"""English: Mon 7 Dec 2026, 14:30; 7 Dec 2026."""

TRACKII_DATE_TIME = "D j M Y, H:i"
TRACKII_DAY = "j M Y"
