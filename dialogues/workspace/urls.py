"""URLs of the workspace: the dialogue, its sides and its roster."""

from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.dialogue_create, name="dialogue_create"),
    path("<int:dialogue_id>/edit/", views.dialogue_edit, name="dialogue_edit"),
    path("<int:dialogue_id>/sides/", views.sides_edit, name="sides_edit"),
    path("<int:dialogue_id>/roster/", views.roster, name="roster"),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/edit/",
        views.membership_edit,
        name="membership_edit",
    ),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/invite/",
        views.invitation_send,
        name="invitation_send",
    ),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
