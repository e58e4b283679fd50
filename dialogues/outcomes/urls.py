"""URLs of a session's notes and outcomes: recording, editing and deleting one."""

from django.urls import path

from . import views

SESSION = "<int:dialogue_id>/sessions/<int:session_id>/outcomes/"

urlpatterns = [
    path(SESSION + "new/", views.outcome_create, name="outcome_create"),
    path(SESSION + "<int:outcome_id>/edit/", views.outcome_edit, name="outcome_edit"),
    path(SESSION + "<int:outcome_id>/delete/", views.outcome_delete, name="outcome_delete"),
]
