"""URLs of the planner: sessions, attendance, the agenda editor, publishing, and the agenda as a
PDF."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:dialogue_id>/sessions/new/", views.session_create, name="session_create"),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/edit/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/status/",
        views.session_status,
        name="session_status",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/",
        views.agenda_edit,
        name="agenda_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/new/",
        views.agenda_item_create,
        name="agenda_item_create",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/edit/",
        views.agenda_item_edit,
        name="agenda_item_edit",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/delete/",
        views.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/move/",
        views.agenda_item_move,
        name="agenda_item_move",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/retime/",
        views.agenda_item_retime,
        name="agenda_item_retime",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/items/<int:item_id>/duplicate/",
        views.agenda_item_duplicate,
        name="agenda_item_duplicate",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/publish/",
        views.agenda_publish,
        name="agenda_publish",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda.pdf",
        views.agenda_pdf,
        name="agenda_pdf",
    ),
]
