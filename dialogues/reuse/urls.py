"""URLs of reuse: a session's reuse page, copying onto its agenda, and its dialogue's templates
saved from it and deleted."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/reuse/",
        views.agenda_reuse,
        name="agenda_reuse",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/reuse/copy/",
        views.agenda_reuse_copy,
        name="agenda_reuse_copy",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/reuse/templates/new/",
        views.agenda_template_save,
        name="agenda_template_save",
    ),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda/reuse/templates/<int:template_id>/delete/",
        views.agenda_template_delete,
        name="agenda_template_delete",
    ),
]
