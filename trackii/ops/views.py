"""The staff's pages under /staff/: searching the audit trail and the change history, who saw an
object, and locking a person out. Anyone signed in who is not staff gets 404, as if the pages did
not exist; staff pass the same MFA rule as everywhere (participants.accounts.middleware)."""

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.models import Person
from trackii.decorators import staff_only
from trackii.forms import add_service_error
from trackii.lists import page_of

from . import reports
from .forms import AuditSearchForm, LockdownForm, PeopleSearchForm, ScaleChangeForm
from .lockdown import lockdown_plan, person_lockdown

PAGE_SIZE = 50


@staff_only
@require_GET
def index(request):
    return render(request, "ops/index.html")


@staff_only
@require_GET
def audit_search(request):
    """Search the trail or the history, 25 a page, newest first unless another order is asked
    for. Nothing is searched until the toolbar is used; a filter that does not hold (a date that
    is not one) is shown with its error, and nothing is searched."""
    form = AuditSearchForm(request.GET)
    sort = form.values()["sort"]
    page = None
    source = AuditSearchForm.TRAIL
    if request.GET and not form.errors:
        data = form.cleaned_data
        source = data["source"]
        common = {
            "person": data["person"].strip(),
            "content_type": data["content_type"],
            "object_id": data["object_id"].strip(),
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "sort": sort,
        }
        if source == AuditSearchForm.HISTORY:
            entries = reports.history_search(**common)
        else:
            entries = reports.trail_search(action=data["action"], **common)
        page = page_of(request, entries)
    return render(
        request,
        "ops/audit_search.html",
        {
            "filters": form,
            "form": form,
            "page": page,
            "page_obj": page,
            "sort": sort,
            "source": source,
            # Only an update's changed fields are listed (a creation lists every field).
            "history_update": LogEntry.Action.UPDATE,
        },
    )


@staff_only
@require_GET
def who_saw(request, model: str, object_id: str):
    app_label, _dot, model_name = model.partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        raise Http404 from None
    # The object may be gone; who saw it before it went is still in the trail.
    copy_numbers = reports.copy_numbers_of(content_type=content_type, object_id=object_id)
    entries = reports.who_saw(
        content_type=content_type, object_id=object_id, copy_ids=copy_numbers.keys()
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(
        reports.sightings(page.object_list, content_type=content_type, copy_numbers=copy_numbers)
    )
    return render(
        request,
        "ops/who_saw.html",
        {
            "content_type": content_type,
            "object_id": object_id,
            "page": page,
            "rows": rows,
            "with_copies": bool(copy_numbers),
        },
    )


@staff_only
@require_GET
def people(request):
    form = PeopleSearchForm(request.GET or None)
    found = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        found = list(
            Person.objects.filter(
                Q(full_name__icontains=q) | Q(email__icontains=q) | Q(user__email__icontains=q)
            )
            .select_related("user")
            .order_by("family_name", "full_name", "id")[:PAGE_SIZE]
        )
    return render(request, "ops/people.html", {"form": form, "people": found})


@staff_only
@sensitive_post_parameters("reason")
@require_http_methods(["GET", "POST"])
def lockdown(request, person_id: int):
    person = get_object_or_404(Person.objects.select_related("user"), pk=person_id)
    form = LockdownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = person_lockdown(
                person=person,
                by=request.user,
                reason=form.cleaned_data["reason"],
                deactivate=form.cleaned_data["deactivate"],
                request=request,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _lockdown_done(record))
            return redirect("ops:lockdown", person_id=person.pk)
    return render(
        request,
        "ops/lockdown.html",
        {"person": person, "plan": lockdown_plan(person=person), "form": form},
        status=400 if form.is_bound else 200,
    )


def _lockdown_done(record) -> str:
    """What a lockdown did, in one sentence of counted things."""
    sessions = record.sessions_ended
    invitations = len(record.invitations_revoked)
    links = len(record.pack_copies_revoked)
    counts = _("%(sessions)s, %(invitations)s and %(links)s revoked") % {
        "sessions": ngettext("%(count)s session ended", "%(count)s sessions ended", sessions)
        % {"count": sessions},
        "invitations": ngettext("%(count)s invitation", "%(count)s invitations", invitations)
        % {"count": invitations},
        "links": ngettext("%(count)s pack link", "%(count)s pack links", links) % {"count": links},
    }
    values = {"number": record.pk, "counts": counts}
    if record.calendar_secret_renewed and record.account_deactivated:
        return (
            _(
                "Lockdown %(number)s done: %(counts)s, calendar address renewed, account "
                "deactivated."
            )
            % values
        )
    if record.calendar_secret_renewed:
        return _("Lockdown %(number)s done: %(counts)s, calendar address renewed.") % values
    if record.account_deactivated:
        return _("Lockdown %(number)s done: %(counts)s, account deactivated.") % values
    return _("Lockdown %(number)s done: %(counts)s.") % values


# -- the confidentiality scale ---------------------------------------------------------------------


@staff_only
@require_http_methods(["GET", "POST"])
def scale(request):
    """The organisation's confidentiality scale, and changes to it: one member of staff asks,
    another confirms (the Django admin shows levels read-only)."""
    from dialogues.scale.selectors import scale_changes_shown_to, scale_levels
    from dialogues.scale.services import scale_change_request

    form = ScaleChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            scale_change_request(
                level=form.cleaned_data["level"],
                values=form.values(),
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Change asked for: another member of staff confirms it (72 hours).")
            )
            return redirect("ops:scale")
    changes = scale_changes_shown_to(user=request.user)
    return render(
        request,
        "ops/scale.html",
        {"levels": scale_levels(), "changes": changes, "form": form},
        status=400 if form.is_bound else 200,
    )


@staff_only
@require_POST
def scale_change_decide(request, change_id: int, action: str):
    from dialogues.scale.selectors import scale_change_for
    from dialogues.scale.services import scale_change_confirm, scale_change_withdraw

    change = scale_change_for(change_id=change_id)
    try:
        if action == "confirm":
            change = scale_change_confirm(change=change, by=request.user, request=request)
        else:
            change = scale_change_withdraw(change=change, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if change.state == change.State.LAPSED:
            messages.error(
                request, _("This change has lapsed: %(reason)s") % {"reason": change.lapse_reason}
            )
        elif change.state == change.State.CONFIRMED:
            messages.success(
                request, _("Confirmed: the scale now holds “%(name)s”.") % {"name": change.name}
            )
        else:
            messages.success(request, _("Change withdrawn."))
    return redirect("ops:scale")
