"""URLs of the workspace area: the dialogue, its sides and its roster."""

from django.urls import path

from .views import workspace

urlpatterns = [
    path("new/", workspace.dialogue_create, name="dialogue_create"),
    path("<int:dialogue_id>/edit/", workspace.dialogue_edit, name="dialogue_edit"),
    path("<int:dialogue_id>/sides/", workspace.sides_edit, name="sides_edit"),
    path("<int:dialogue_id>/roster/", workspace.roster, name="roster"),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/edit/",
        workspace.membership_edit,
        name="membership_edit",
    ),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/invite/",
        workspace.invitation_send,
        name="invitation_send",
    ),
    path(
        "<int:dialogue_id>/roster/<int:membership_id>/invitations/<int:invitation_id>/revoke/",
        workspace.invitation_revoke,
        name="invitation_revoke",
    ),
]
