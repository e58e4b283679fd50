from django.urls import path

from . import views

urlpatterns = [
    path("<int:dialogue_id>/officials/", views.official_list, name="official_list"),
    path("<int:dialogue_id>/officials/new/", views.official_create, name="official_create"),
    path(
        "<int:dialogue_id>/officials/<int:official_id>/",
        views.official_edit,
        name="official_edit",
    ),
    path(
        "<int:dialogue_id>/officials/<int:official_id>/retire/",
        views.official_retire,
        name="official_retire",
    ),
    path(
        "<int:dialogue_id>/officials/<int:official_id>/reinstate/",
        views.official_reinstate,
        name="official_reinstate",
    ),
]
