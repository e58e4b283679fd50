"""Trackii: planning, vetting and briefing for Track Two dialogue programmes."""

from .celery import app as celery_app

__all__ = ("celery_app",)
