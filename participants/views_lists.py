"""The designation lists page (staff only): each list with its version in force, an upload form
that imports a new version, and a page per list with the entries of that version. Everyone else
gets 404, so the pages are not confirmed to exist."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from .models import DesignationAlias, DesignationEntry, DesignationList
from .screening.importers import (
    ImportFailed,
    designation_file_size_check,
    import_designations,
    import_designations_into_new_list,
)
from .services.vetting import rescreen_everyone

ENTRIES_PER_PAGE = 100


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class DesignationUploadForm(forms.Form):
    designation_list = forms.ModelChoiceField(
        queryset=DesignationList.objects.order_by("name"),
        required=False,
        empty_label="A new list (name it below)",
        label="List",
    )
    new_name = forms.CharField(
        max_length=DesignationList._meta.get_field("name").max_length,
        required=False,
        label="Name of the new list",
    )
    format = forms.ChoiceField(
        choices=[("", "The list's own format"), *DesignationList.Format.choices],
        required=False,
        help_text="Needed for a new list; an existing list keeps its format.",
    )
    files = MultipleFileField(
        widget=MultipleFileInput(attrs={"accept": ".xml,.csv"}),
        help_text="UN: the consolidated XML. OFAC: sdn.csv, and alt.csv for the aliases. "
        "Our own list: one CSV with the columns name, aliases, date_of_birth, nationality, "
        "reference, note.",
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        for upload in uploads:
            try:
                designation_file_size_check(name=upload.name, size=upload.size)
            except ImportFailed as error:
                raise forms.ValidationError(error.message) from None
        return uploads

    def clean(self):
        data = super().clean()
        chosen, new_name, format = (
            data.get("designation_list"),
            data.get("new_name", ""),
            data.get("format", ""),
        )
        if chosen is not None:
            if new_name:
                self.add_error("new_name", "Choose an existing list or name a new one, not both.")
            if format and format != chosen.format:
                self.add_error(
                    "format",
                    f"“{chosen}” is a list in the {chosen.get_format_display()} format.",
                )
        else:
            if not new_name:
                self.add_error("new_name", "Name the new list, or choose an existing one.")
            elif DesignationList.objects.filter(name__iexact=new_name).exists():
                self.add_error("new_name", "A list with this name exists: choose it above.")
            if not format:
                self.add_error("format", "Choose the format of the new list.")
        return data


class EntrySearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Name")


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
                f"Nothing was imported; the version in force is unchanged. {error.message}",
            )
        except ValidationError as error:  # e.g. another admin took the new name meanwhile
            form.add_error(None, error.messages)
        else:
            rescreen_everyone()
            messages.success(
                request,
                f"Imported version {version.number} with {version.entry_count} entries; "
                "everyone active is being screened again.",
            )
            return redirect("vetting:designation_lists")
    lists = DesignationList.objects.select_related("current_version__imported_by").order_by("name")
    return render(
        request,
        "participants/designation_lists.html",
        {"lists": lists, "form": form},
    )


@require_GET
@login_required
def designation_list_detail(request, list_id: int):
    _staff_only(request)
    designation_list = get_object_or_404(
        DesignationList.objects.select_related("current_version__imported_by"), pk=list_id
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
    versions = designation_list.versions.select_related("imported_by").order_by("-number")[:10]
    context = {
        "designation_list": designation_list,
        "version": designation_list.current_version,
        "search": search,
        "query": query,
        "page": page,
        "versions": versions,
    }
    return render(request, "participants/designation_list_detail.html", context)
