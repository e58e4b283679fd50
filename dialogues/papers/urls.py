"""URLs of papers: the dialogue's list of papers, uploading, downloading and deleting them."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:dialogue_id>/documents/", views.document_list, name="documents"),
    path("<int:dialogue_id>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "<int:dialogue_id>/documents/<int:document_id>/download/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<int:dialogue_id>/documents/<int:document_id>/delete/",
        views.document_delete,
        name="document_delete",
    ),
]
