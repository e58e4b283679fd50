"""URLs of ideas: a dialogue's ideas, one idea, deriving one, its state and follow-ups."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:dialogue_id>/ideas/", views.idea_list, name="ideas"),
    path("<int:dialogue_id>/ideas/new/", views.idea_create, name="idea_create"),
    path("<int:dialogue_id>/ideas/<int:idea_id>/", views.idea_detail, name="idea_detail"),
    path("<int:dialogue_id>/ideas/<int:idea_id>/state/", views.idea_state, name="idea_state"),
    path(
        "<int:dialogue_id>/ideas/<int:idea_id>/follow-ups/new/",
        views.follow_up_create,
        name="follow_up_create",
    ),
    path(
        "<int:dialogue_id>/ideas/<int:idea_id>/follow-ups/<int:follow_up_id>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
]
