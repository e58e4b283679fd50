from django.urls import path

from . import views

app_name = "dialogues"

urlpatterns = [
    path("<int:dialogue_id>/", views.dialogue_detail, name="dialogue_detail"),
    path(
        "<int:dialogue_id>/sessions/<int:session_id>/",
        views.session_detail,
        name="session_detail",
    ),
]
