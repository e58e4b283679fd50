"""Invitations, under /invitations/."""

from django.urls import path

from . import views_invitations as views

app_name = "invitations"

urlpatterns = [
    path("send/<int:membership_id>/", views.invitation_send, name="send"),
    path("<int:invitation_id>/revoke/", views.invitation_revoke, name="revoke"),
    path("<str:token>/", views.invitation_page, name="open"),
]
