"""Staff pages of operations (lockdown, reports from the audit trail), under /staff/. Everyone
who is not staff gets 404."""

from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("", views.index, name="index"),
    path("audit/", views.audit_search, name="audit_search"),
    # <app_label>.<model>, as the content type names it (e.g. dialogues.session).
    path("who-saw/<str:model>/<str:object_id>/", views.who_saw, name="who_saw"),
    path("people/", views.people, name="people"),
    path("people/<int:person_id>/lockdown/", views.lockdown, name="lockdown"),
    path("scale/", views.scale, name="scale"),
    path(
        "scale/changes/<int:change_id>/confirm/",
        views.scale_change_decide,
        {"action": "confirm"},
        name="scale_change_confirm",
    ),
    path(
        "scale/changes/<int:change_id>/withdraw/",
        views.scale_change_decide,
        {"action": "withdraw"},
        name="scale_change_withdraw",
    ),
]
