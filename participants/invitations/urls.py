"""The invitee's page, under /invitations/ (the convening team sends and revokes invitations
from the dialogue's roster: ``dialogues.urls_workspace``)."""

from django.urls import path

from . import views

app_name = "invitations"

urlpatterns = [
    path("<str:token>/", views.invitation_page, name="open"),
]
