"""Screening nominees against designation lists: importing the lists (``importers``), matching
names (``matching``), screening against the lists in force (``runner``); vetting cases use it
through ``participants.vetting.services``."""
