"""Top-level URLs. Dialogue content lives under /dialogues/; accounts are allauth's."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from dialogues import views as dialogue_views
from dialogues.briefing import views as briefing_views
from dialogues.calendar import views as calendar_views

admin.site.site_header = _("Trackii administration")
admin.site.site_title = "Trackii"
# The admin signs in through allauth, with its rate limits and second factor, never through a
# password-only form of its own; signed-in accounts that are not staff are refused.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", dialogue_views.home, name="home"),
    # The signed-out chooser of a language (base.html's footer): a cookie, then back.
    path("language/", set_language, name="set_language"),
    path("calendar/<str:secret>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("dialogues/", include("dialogues.urls")),
    # A recipient's personal link to their copy of a briefing pack (no account).
    path("packs/<str:token>/", briefing_views.pack_link, name="pack_link"),
    path(
        "packs/<str:token>/download/", briefing_views.pack_link_download, name="pack_link_download"
    ),
    path("vetting/", include("participants.vetting.urls")),
    path("invitations/", include("participants.invitations.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("participants.profile.urls")),
    path("staff/", include("trackii.ops.urls")),
    path("admin/", admin.site.urls),
]
