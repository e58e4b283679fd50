"""Arabic: the day and month in full, the Arabic comma."""

TRACKII_DATE_TIME = "l j F Y، H:i"
TRACKII_DAY = "j F Y"
