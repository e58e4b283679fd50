"""URLs of the path: a dialogue's path at a glance (one idea's with ``?idea=``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:dialogue_id>/path/", views.path_view, name="path"),
]
