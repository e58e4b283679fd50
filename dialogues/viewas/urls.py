"""URLs of the view-as mode: its start (a page, then a POST) from a member of the roster, and
its stop."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:dialogue_id>/view-as/<int:membership_id>/",
        views.view_as_start,
        name="view_as_start",
    ),
    path("view-as/stop/", views.view_as_stop, name="view_as_stop"),
]
