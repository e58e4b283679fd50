"""The account's own page (time zone, calendar address) and the calendar feed it points to.

The feed cannot ask for a login (calendar apps cannot sign in): the long random secret in its
address is the credential, and the participant can replace it at any time."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from trackii.forms import add_service_error

from .forms import TimeZoneForm
from .selectors import likely_time_zones
from .services import calendar_secret_regenerate, profile_time_zone_set


def _profile_context(request, form: TimeZoneForm) -> dict:
    secret = request.user.calendar_secret
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[secret])) if secret else ""
    return {"form": form, "feed_url": feed_url}


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    likely = likely_time_zones(request.user)
    if request.method == "POST":
        form = TimeZoneForm(request.POST, likely_zones=likely)
        if form.is_valid():
            try:
                profile_time_zone_set(user=request.user, time_zone=form.cleaned_data["time_zone"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Your time zone is saved.")
                return redirect("profile")
        request.user.refresh_from_db(fields=["time_zone"])
    else:
        form = TimeZoneForm(initial={"time_zone": request.user.time_zone}, likely_zones=likely)
    return render(request, "participants/profile/page.html", _profile_context(request, form))


@login_required
@require_POST
def calendar_address_renew(request):
    had_one = bool(request.user.calendar_secret)
    calendar_secret_regenerate(user=request.user)
    messages.success(
        request,
        "Your calendar has a new address; the old one no longer works."
        if had_one
        else "Your calendar address is ready.",
    )
    return redirect("profile")
