"""Vetting URLs (admins only), under /vetting/ with the namespace ``vetting``."""

from django.urls import path

from . import views

app_name = "vetting"

# The designation lists' pages (their tests mount them alone: tests/participants/urls_for_lists.py).
designation_list_urlpatterns = [
    path("lists/", views.designation_lists, name="designation_lists"),
    path(
        "lists/<int:list_id>/",
        views.designation_list_detail,
        name="designation_list_detail",
    ),
]

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/decide/", views.case_decide, name="case_decide"),
    path(
        "cases/<int:case_id>/matches/<int:match_id>/decide/",
        views.match_decide,
        name="match_decide",
    ),
    path("check/", views.name_check, name="check"),
    *designation_list_urlpatterns,
]
