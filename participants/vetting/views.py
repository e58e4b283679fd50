"""The vetting pages, for the organisation's admins (staff) only: everyone else gets 404, as if
vetting did not exist. Facilitators see only the resulting state on their roster.

The designation lists' pages are here too: each list with its version in force, an upload form
that imports a new version (and has everyone active screened again), and a page per list with the
entries of that version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trackii.audit.services import Action, audit_record
from trackii.decorators import staff_only
from trackii.forms import add_service_error
from trackii.lists import page_of

from ..models import DesignationAlias, DesignationEntry, DesignationList, VettingCase
from ..screening.importers import (
    ImportFailed,
    import_designations,
    import_designations_into_new_list,
)
from ..screening.matching import NomineeFacts
from ..screening.runner import screen_facts
from . import selectors
from . import services as vetting
from .forms import (
    CaseDecisionForm,
    DesignationUploadForm,
    EntrySearchForm,
    MatchDecisionForm,
    NameCheckForm,
    QueueFilterForm,
)

# Vetting exists only for admins: anyone else is answered 404.
admins_only = staff_only

ENTRIES_PER_PAGE = 100


@admins_only
@require_http_methods(["GET"])
def queue(request):
    filters = QueueFilterForm(request.GET, counts=selectors.status_counts())
    chosen = filters.values()
    cases = page_of(
        request,
        selectors.cases_listed(
            status=chosen["status"], search=chosen["search"], ordering=filters.ordering
        ),
    )
    context = {
        "cases": list(cases.object_list),
        "page_obj": cases,
        "filters": filters,
        "sort": chosen["sort"],
    }
    return render(request, "participants/vetting/queue.html", context)


def _case(case_id: int) -> VettingCase:
    return get_object_or_404(
        VettingCase.objects.select_related(
            "membership__person",
            "membership__dialogue",
            "membership__side",
            "membership__nominated_by__person",
            "decided_by__person",
        ),
        pk=case_id,
    )


def _match_ids(match_id: int) -> str:
    # One form per possible match on the page: ids of their own, the same field names.
    return f"id_match{match_id}_%s"


def _case_page(request, case: VettingCase, *, decision_form=None, match_forms=None, status=200):
    matches = list(
        case.matches.select_related("entry__version__designation_list", "decided_by__person")
        .prefetch_related("entry__aliases")
        .order_by("status", "-score")
    )
    match_forms = match_forms or {}
    context = {
        "case": case,
        "person": case.membership.person,
        "membership": case.membership,
        "matches": [
            (m, match_forms.get(m.pk) or MatchDecisionForm(auto_id=_match_ids(m.pk)))
            for m in matches
        ],
        "decision_form": decision_form
        or CaseDecisionForm(
            initial={
                "jurisdictions": case.jurisdictions,
                "references": case.references,
                "conflicts_of_interest": case.conflicts_of_interest,
            }
        ),
        "four_eyes_blocked": case.membership.nominated_by_id == request.user.pk,
    }
    return render(request, "participants/vetting/case.html", context, status=status)


@admins_only
@require_http_methods(["GET"])
def case_detail(request, case_id: int):
    case = _case(case_id)
    audit_record(
        action=Action.VIEWED, obj=case, request=request, dialogue_id=case.membership.dialogue_id
    )
    return _case_page(request, case)


@sensitive_post_parameters()
@admins_only
@require_POST
def match_decide(request, case_id: int, match_id: int):
    case = _case(case_id)
    match = get_object_or_404(case.matches.select_related("entry__version"), pk=match_id)
    form = MatchDecisionForm(request.POST, auto_id=_match_ids(match.pk))
    if form.is_valid():
        try:
            vetting.possible_match_decide(
                match=match,
                same_person=form.cleaned_data["verdict"] == "same_person",
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Possible match decided."))
            return redirect("vetting:case", case.pk)
    return _case_page(request, case, match_forms={match.pk: form}, status=400)


@sensitive_post_parameters()
@admins_only
@require_POST
def case_decide(request, case_id: int):
    case = _case(case_id)
    form = CaseDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            vetting.vetting_case_decide(
                case=case,
                decision=data["decision"],
                reason=data["reason"],
                conditions=data["conditions"],
                jurisdictions=data["jurisdictions"],
                references=data["references"],
                conflicts_of_interest=data["conflicts_of_interest"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Case decided."))
            return redirect("vetting:case", case.pk)
    return _case_page(request, case, decision_form=form, status=400)


@admins_only
@require_http_methods(["GET"])
def name_check(request):
    form = NameCheckForm(request.GET or None)
    hits = None
    if form.is_valid():
        data = form.cleaned_data
        hits = screen_facts(
            NomineeFacts(
                names=(data["name"],), birth_year=data["dob"], nationality=data["nationality"]
            )
        )
    return render(request, "participants/vetting/check.html", {"form": form, "hits": hits})


# -- Designation lists


def _staff_only(request) -> None:
    if not request.user.is_staff:
        raise Http404


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@login_required
def designation_lists(request):
    _staff_only(request)
    posted = request.method == "POST"
    form = DesignationUploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        files = [(upload.name, upload.read()) for upload in data["files"]]
        try:
            if data["designation_list"] is not None:
                version = import_designations(
                    designation_list=data["designation_list"], files=files, by=request.user
                )
            else:
                version = import_designations_into_new_list(
                    name=data["new_name"], format=data["format"], files=files, by=request.user
                )
        except ImportFailed as error:
            form.add_error(
                None,
                _("Nothing was imported; the version in force is unchanged. %(reason)s")
                % {"reason": error.message},
            )
        except ValidationError as error:  # e.g. another admin took the new name meanwhile
            form.add_error(None, error.messages)
        else:
            vetting.rescreen_everyone()
            messages.success(
                request,
                ngettext(
                    "Imported version %(number)s with %(count)s entry; everyone active is being "
                    "screened again.",
                    "Imported version %(number)s with %(count)s entries; everyone active is "
                    "being screened again.",
                    version.entry_count,
                )
                % {"number": version.number, "count": version.entry_count},
            )
            return redirect("vetting:designation_lists")
    lists = DesignationList.objects.select_related("current_version__imported_by__person").order_by(
        "name"
    )
    return render(
        request,
        "participants/vetting/designation_lists.html",
        {"lists": lists, "form": form},
    )


@require_GET
@login_required
def designation_list_detail(request, list_id: int):
    _staff_only(request)
    designation_list = get_object_or_404(
        DesignationList.objects.select_related("current_version__imported_by__person"), pk=list_id
    )
    search = EntrySearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    entries = DesignationEntry.objects.filter(version_id=designation_list.current_version_id)
    if designation_list.current_version_id is None:
        entries = entries.none()
    if query:
        aliases = DesignationAlias.objects.filter(entry=OuterRef("pk"), name__icontains=query)
        entries = entries.filter(
            Q(name__icontains=query) | Q(name_original_script__icontains=query) | Exists(aliases)
        )
    entries = entries.order_by("reference", "pk").prefetch_related("aliases")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    versions = designation_list.versions.select_related("imported_by__person").order_by("-number")[
        :10
    ]
    context = {
        "designation_list": designation_list,
        "version": designation_list.current_version,
        "search": search,
        "query": query,
        "page": page,
        "versions": versions,
    }
    return render(request, "participants/vetting/designation_list_detail.html", context)
