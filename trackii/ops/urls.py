"""Staff pages of operations (lockdown, reports from the audit trail), under /staff/. Everyone
who is not staff gets 404."""

from django.urls import path  # noqa: F401

app_name = "ops"

urlpatterns: list = []
