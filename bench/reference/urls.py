"""Trackii's URLs with the reference pages beside them (``bench.settings_pages`` only)."""

from django.urls import path

from trackii.urls import urlpatterns as trackii_urlpatterns

from . import views

urlpatterns = [
    path("bench-reference/", views.home, name="reference_home"),
    path(
        "bench-reference/<int:dialogue_id>/sessions/<int:session_id>/",
        views.session_page,
        name="reference_session",
    ),
    *trackii_urlpatterns,
]
