"""Vetting URLs (admins only), under /vetting/ with the namespace ``vetting``."""

from django.urls import include, path

from . import views_vetting

app_name = "vetting"

urlpatterns = [
    path("", views_vetting.queue, name="queue"),
    path("cases/<int:case_id>/", views_vetting.case_detail, name="case"),
    path("cases/<int:case_id>/decide/", views_vetting.case_decide, name="case_decide"),
    path(
        "cases/<int:case_id>/matches/<int:match_id>/decide/",
        views_vetting.match_decide,
        name="match_decide",
    ),
    path("check/", views_vetting.name_check, name="check"),
    path("", include("participants.urls_lists")),
]
