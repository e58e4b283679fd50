"""The account's own page, at the top level (no namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("account/", views.profile, name="profile"),
    path(
        "account/calendar-address/",
        views.calendar_address_renew,
        name="calendar_address_renew",
    ),
]
