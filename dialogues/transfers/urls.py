"""URLs of transfers and observed changes: logging a transfer of an idea, one transfer and its
reaction; the dialogue's observed changes, recording one, one change."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:dialogue_id>/ideas/<int:idea_id>/transfers/new/",
        views.transfer_create,
        name="transfer_create",
    ),
    path(
        "<int:dialogue_id>/transfers/<int:transfer_id>/",
        views.transfer_detail,
        name="transfer_detail",
    ),
    path(
        "<int:dialogue_id>/transfers/<int:transfer_id>/reaction/",
        views.transfer_reaction,
        name="transfer_reaction",
    ),
    path("<int:dialogue_id>/changes/", views.change_list, name="changes"),
    path("<int:dialogue_id>/changes/new/", views.change_create, name="change_create"),
    path("<int:dialogue_id>/changes/<int:change_id>/", views.change_detail, name="change_detail"),
]
