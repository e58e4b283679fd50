"""URLs of the planner: sessions, attendance, the agenda editor and publishing."""

from django.urls import path

from .views import planner

urlpatterns = [
    path("<int:dialogue_id>/sessions/new/", planner.session_create, name="session_create"),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/edit/",
        planner.session_edit,
        name="session_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/status/",
        planner.session_status,
        name="session_status",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/",
        planner.agenda_edit,
        name="agenda_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/new/",
        planner.agenda_item_create,
        name="agenda_item_create",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/edit/",
        planner.agenda_item_edit,
        name="agenda_item_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/delete/",
        planner.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/move/",
        planner.agenda_item_move,
        name="agenda_item_move",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/publish/",
        planner.agenda_publish,
        name="agenda_publish",
    ),
]
