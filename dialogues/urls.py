"""Dialogue URLs. Each planning area keeps its own patterns module, included here."""

from django.urls import include, path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("<int:dialogue_id>/", views.dialogue_detail, name="dialogue_detail"),
    path("<int:dialogue_id>/ground-rules/", views.ground_rules, name="ground_rules"),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/",
        views.session_detail,
        name="session_detail",
    ),
    path("", include("dialogues.urls_planner")),
    path("", include("dialogues.urls_workspace")),
    path("", include("dialogues.urls_documents")),
    path("", include("dialogues.urls_exports")),
    path("", include("dialogues.urls_briefing")),
]
