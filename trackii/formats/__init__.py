"""Trackii's own date formats per language (settings.FORMAT_MODULE_PATH), beside Django's: how a
moment and a day are written on pages, e-mails and PDFs (``trackii.timezones``). Every other
format (numbers, Django's DATE_FORMAT) comes from Django's locale modules."""
