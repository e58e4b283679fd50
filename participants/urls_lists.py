"""Designation list pages (staff only). No namespace of their own: they are included under
/vetting/ in the ``vetting`` namespace (``participants.urls``)."""

from django.urls import path

from . import views_lists

urlpatterns = [
    path("lists/", views_lists.designation_lists, name="designation_lists"),
    path(
        "lists/<int:list_id>/",
        views_lists.designation_list_detail,
        name="designation_list_detail",
    ),
]
