"""URLs of the requests to raise a dialogue's outbound level: confirming and withdrawing one."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "<int:dialogue_id>/outbound-requests/<int:request_id>/confirm/",
        views.outbound_request_decide,
        {"action": "confirm"},
        name="outbound_request_confirm",
    ),
    path(
        "<int:dialogue_id>/outbound-requests/<int:request_id>/withdraw/",
        views.outbound_request_decide,
        {"action": "withdraw"},
        name="outbound_request_withdraw",
    ),
]
