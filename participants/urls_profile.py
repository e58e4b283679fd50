"""The account's own page, at the top level (no namespace)."""

from django.urls import path

from . import views_profile

urlpatterns = [
    path("account/", views_profile.profile, name="profile"),
    path(
        "account/calendar-address/",
        views_profile.calendar_address_renew,
        name="calendar_address_renew",
    ),
]
