"""Russian: the month in the genitive (7 декабря 2026), the day abbreviated."""

TRACKII_DATE_TIME = "D, j E Y, H:i"
TRACKII_DAY = "j E Y"
