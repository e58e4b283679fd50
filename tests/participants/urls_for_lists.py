"""Only what the designation list pages need, so their tests do not depend on the rest of the
vetting area: the pages themselves, the names base.html links to, and the sign-in pages."""

from django.http import Http404
from django.urls import include, path

from dialogues import views as dialogue_views
from participants.vetting.urls import designation_list_urlpatterns


def _elsewhere(request):
    raise Http404


vetting_patterns = [
    path("", _elsewhere, name="queue"),
    path("", include(designation_list_urlpatterns)),
]

urlpatterns = [
    path("", dialogue_views.home, name="home"),
    path("vetting/", include((vetting_patterns, "vetting"))),
    path("staff/", include("trackii.ops.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("participants.profile.urls")),
]
