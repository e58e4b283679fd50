"""URLs of briefing packs (the convening team's side). The
recipients' link pages are top-level (trackii.urls): they need no account."""

from django.urls import path

from . import views

PACK = "<int:dialogue_id>/packs/<int:pack_id>/"
COPY = PACK + "copies/<int:copy_id>/"

urlpatterns = [
    path("<int:dialogue_id>/packs/", views.pack_list, name="pack_list"),
    path("<int:dialogue_id>/packs/new/", views.pack_request, name="pack_request"),
    path(PACK, views.pack_detail, name="pack_detail"),
    path(PACK + "render-again/", views.pack_render_again, name="pack_render_again"),
    path(PACK + "review/", views.pack_review, name="pack_review"),
    path(PACK + "release/", views.pack_release, name="pack_release"),
    path(COPY + "download/", views.copy_download, name="copy_download"),
    path(COPY + "revoke/", views.copy_link_revoke, name="copy_link_revoke"),
    path(COPY + "new-link/", views.copy_link_issue, name="copy_link_issue"),
]
