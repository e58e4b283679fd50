"""Dialogue URLs: the core pages here, and each feature's own patterns (``<feature>/urls.py``),
included. The names stay in the ``dialogues`` namespace."""

from django.urls import include, path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("<int:dialogue_id>/", views.dialogue_detail, name="dialogue_detail"),
    path("<int:dialogue_id>/ground-rules/", views.ground_rules, name="ground_rules"),
    path("<int:dialogue_id>/sessions/", views.session_list, name="sessions"),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/",
        views.session_detail,
        name="session_detail",
    ),
    path("", include("dialogues.planning.urls")),
    path("", include("dialogues.reuse.urls")),
    path("", include("dialogues.workspace.urls")),
    path("", include("dialogues.outbound.urls")),
    path("", include("dialogues.papers.urls")),
    path("", include("dialogues.outcomes.urls")),
    path("", include("dialogues.ideas.urls")),
    path("", include("dialogues.nonpapers.urls")),
    path("", include("dialogues.path.urls")),
    path("", include("dialogues.briefing.urls")),
    path("", include("dialogues.officials.urls")),
    path("", include("dialogues.funders.urls")),
    path("", include("dialogues.transfers.urls")),
    path("", include("dialogues.timeline.urls")),
    path("", include("dialogues.viewas.urls")),
]
