"""The account's own page (time zone, language, calendar address) and the calendar feed it
points to.

The feed cannot ask for a login (calendar apps cannot sign in): the long random secret in its
address is the credential, and the participant can replace it at any time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trackii.forms import add_service_error
from trackii.i18n import in_language, remember

from .forms import LanguageForm, TimeZoneForm
from .selectors import likely_time_zones
from .services import calendar_secret_regenerate, profile_language_set, profile_time_zone_set

# What the language form posts as ``action``: the time-zone form posts none.
LANGUAGE_ACTION = "language"


def _profile_context(request, form: TimeZoneForm, language_form: LanguageForm) -> dict:
    secret = request.user.calendar_secret
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[secret])) if secret else ""
    return {"form": form, "language_form": language_form, "feed_url": feed_url}


def _language_form(request) -> LanguageForm:
    # The account's person comes with the account (participants.accounts.backends).
    person = getattr(request.user, "person", None)
    return LanguageForm(initial={"language": person.language if person is not None else ""})


def _change_language(request, form: LanguageForm):
    """Save the language chosen and switch the pages to it at once; None if refused, the reason
    on the form. Said in the new language."""
    if not form.is_valid():
        return None
    language = form.cleaned_data["language"]
    try:
        kept = profile_language_set(user=request.user, language=language)
    except ValidationError as error:
        add_service_error(form, error)
        return None
    remember(request, language)
    # "": the browser's language decides from now on, as it will on the next page.
    with in_language(language or translation.get_language_from_request(request)):
        said = _("Your language is saved.") if kept else _("Your language is set for this session.")
    messages.success(request, said)
    return redirect("profile")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    likely = likely_time_zones(request.user)
    form = TimeZoneForm(initial={"time_zone": request.user.time_zone}, likely_zones=likely)
    language_form = _language_form(request)
    if request.method == "POST" and request.POST.get("action") == LANGUAGE_ACTION:
        language_form = LanguageForm(request.POST)
        changed = _change_language(request, language_form)
        if changed is not None:
            return changed
    elif request.method == "POST":
        form = TimeZoneForm(request.POST, likely_zones=likely)
        if form.is_valid():
            try:
                profile_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Your time zone is saved."))
                return redirect("profile")
        request.user.refresh_from_db(fields=["time_zone"])
    return render(
        request, "participants/profile/page.html", _profile_context(request, form, language_form)
    )


@login_required
@require_POST
def calendar_address_renew(request):
    had_one = bool(request.user.calendar_secret)
    calendar_secret_regenerate(user=request.user)
    messages.success(
        request,
        _("Your calendar has a new address; the old one no longer works.")
        if had_one
        else _("Your calendar address is ready."),
    )
    return redirect("profile")
