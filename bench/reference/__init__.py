"""Bare Django pages of the same shape as Trackii's session page and home page, written for the
page benchmark (``bench/pages.py``) and mounted only by its settings (``bench.settings_pages``):
plain ORM queries for the same rows, one template each, nothing of Trackii's confidentiality
module, selectors or template tags."""
