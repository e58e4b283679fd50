"""URLs of the exports: files rendered from what the viewer may see."""

from django.urls import path

from .views import exports

urlpatterns = [
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/agenda.pdf",
        exports.agenda_pdf,
        name="agenda_pdf",
    ),
]
