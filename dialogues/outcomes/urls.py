"""URLs of notes and outcomes: the dialogue's list of them; recording, editing and deleting
one of a session."""

from django.urls import path

from . import views

SESSION = "<int:dialogue_id>/sessions/<int:session_id>/outcomes/"

urlpatterns = [
    path("<int:dialogue_id>/outcomes/", views.outcome_list, name="outcomes"),
    path(SESSION + "new/", views.outcome_create, name="outcome_create"),
    path(SESSION + "<int:outcome_id>/edit/", views.outcome_edit, name="outcome_edit"),
    path(SESSION + "<int:outcome_id>/delete/", views.outcome_delete, name="outcome_delete"),
]
