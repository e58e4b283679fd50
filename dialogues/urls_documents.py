"""URLs of the documents area: uploading, downloading and deleting papers."""

from django.urls import path

from .views import documents

urlpatterns = [
    path("<int:dialogue_id>/documents/new/", documents.document_upload, name="document_upload"),
    path(
        "<int:dialogue_id>/documents/<int:document_id>/download/",
        documents.document_download,
        name="document_download",
    ),
    path(
        "<int:dialogue_id>/documents/<int:document_id>/delete/",
        documents.document_delete,
        name="document_delete",
    ),
]
