"""URLs of non-papers: a dialogue's list, drafting one, a version, the working version's editor,
freezing it, comparing two versions, a comment and the team's reply in a side's thread."""

from django.urls import path

from . import views

_ONE = "<int:dialogue_id>/non-papers/<int:non_paper_id>/"
_PARAGRAPH = _ONE + "v<int:number>/paragraphs/<int:paragraph_id>/"

urlpatterns = [
    path("<int:dialogue_id>/non-papers/", views.non_paper_list, name="non_papers"),
    path("<int:dialogue_id>/non-papers/new/", views.non_paper_create, name="non_paper_create"),
    path(_ONE, views.non_paper_detail, name="non_paper_detail"),
    path(_ONE + "v<int:number>/", views.non_paper_version, name="non_paper_version"),
    path(_ONE + "edit/", views.version_edit, name="non_paper_edit"),
    path(_ONE + "freeze/", views.version_freeze, name="non_paper_freeze"),
    path(_ONE + "compare/", views.non_paper_compare, name="non_paper_compare"),
    path(_PARAGRAPH + "comments/", views.comment_create, name="non_paper_comment"),
    path(
        _PARAGRAPH + "sides/<int:side_id>/reply/",
        views.comment_reply,
        name="non_paper_reply",
    ),
]
