"""Reports for funders: the list (each report's state and its downloads), the request, and the
two downloads (recorded in the audit trail). For the dialogue's convening team only (404
otherwise); a report above the viewer's own clearance is listed but not downloaded."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from trackii.audit.reads import polled
from trackii.lists import page_of

from ..forms import add_service_error
from ..http import convening_team_only, private_file_response
from . import services
from .exports import report_filename
from .forms import ReportRequestForm
from .selectors import readable_level_ids, report_for, reports_of, request_levels


@require_GET
@never_cache  # states change as the worker renders
@polled  # the list, every two seconds while a report renders
@convening_team_only
def report_list(request, dialogue, viewer):
    reports = page_of(request, reports_of(dialogue=dialogue))
    readable = readable_level_ids(viewer=viewer, dialogue=dialogue)
    listed = list(reports.object_list)
    for report in listed:
        report.readable = report.level_id in readable
    context = {
        "dialogue": dialogue,
        "reports": listed,
        "page_obj": reports,
        "in_progress": any(r.state in (r.State.QUEUED, r.State.RENDERING) for r in listed),
    }
    return render(request, "dialogues/funders/report_list.html", context)


@require_http_methods(["GET", "POST"])
@convening_team_only
def report_request(request, dialogue, viewer):
    levels = request_levels(viewer=viewer, dialogue=dialogue)
    offered = list(levels)
    first = next((lv for lv in offered if lv.pk == dialogue.outbound_level_id), None)
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None,
        levels=levels,
        initial_level=first or (offered[-1] if offered else None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_request(
                dialogue=dialogue,
                viewer=viewer,
                requested_by=request.user,
                level=form.cleaned_data["level"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The report was requested: it is ready to download once rendered.")
            )
            return redirect("dialogues:funder_reports", dialogue.pk)
    # Shown again with its errors as a 200: htmx swaps no other answer in.
    context = {"dialogue": dialogue, "form": form, "no_levels": not offered}
    return render(request, "dialogues/funders/report_request.html", context)


def _download(dialogue, viewer, report_id: int, kind: str, content_type: str):
    report = report_for(dialogue=dialogue, report_id=report_id)
    if report.state != report.State.READY or report.level_id not in readable_level_ids(
        viewer=viewer, dialogue=dialogue
    ):
        raise Http404
    return private_file_response(
        getattr(report, kind), filename=report_filename(report, kind), content_type=content_type
    )


@require_GET
@convening_team_only
def report_pdf(request, report_id: int, dialogue, viewer):
    return _download(dialogue, viewer, report_id, "pdf", "application/pdf")


@require_GET
@convening_team_only
def report_csv(request, report_id: int, dialogue, viewer):
    return _download(dialogue, viewer, report_id, "csv", "text/csv; charset=utf-8")
