"""Timelines: every session a viewer may see on a calendar, in a month view (a month as a table,
Monday first) and a list view, for one dialogue (its Sessions tab) and across all of the
viewer's dialogues (the home page). Views of existing pages, asked for by query parameters
(``?view=month&month=2027-01``); every row comes through the confidentiality module."""
