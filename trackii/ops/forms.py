"""Forms of the staff pages."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackii.audit.models import AuditEntry
from trackii.forms import DayField
from trackii.lists import ListForm, Sort

from .reports import AUDIT_SORTS

# The apps whose objects the trail and the history are about.
TRAIL_APPS = ("dialogues", "participants", "ops")


class AuditSearchForm(ListForm):
    """The audit search's toolbar. Its filters' errors are shown (a date that is not one, a
    period backwards, an id without its kind); an unknown order is read as the default."""

    TRAIL = "trail"
    HISTORY = "history"

    sorts = {key: Sort(label, ()) for key, label in AUDIT_SORTS.items()}
    reported = (
        "__all__",
        "source",
        "person",
        "object_type",
        "object_id",
        "action",
        "date_from",
        "date_to",
    )

    source = forms.ChoiceField(
        label=gettext_lazy("Search"),
        choices=[
            (TRAIL, gettext_lazy("Views, downloads and decisions (audit trail)")),
            (HISTORY, gettext_lazy("Changes to records (change history)")),
        ],
        required=False,
    )
    person = forms.CharField(
        label=gettext_lazy("Person (account e-mail)"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("The whole address or part of it."),
    )
    object_type = forms.ChoiceField(label=gettext_lazy("Object"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Object id"), max_length=64, required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action (audit trail)"),
        choices=[("", gettext_lazy("Any")), *AuditEntry.Action.choices],
        required=False,
    )
    date_from = DayField(label=gettext_lazy("From"), required=False)
    date_to = DayField(label=gettext_lazy("To (inclusive)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = ContentType.objects.filter(app_label__in=TRAIL_APPS).order_by("app_label", "model")
        self.content_types = {f"{ct.app_label}.{ct.model}": ct for ct in types}
        self.fields["object_type"].choices = [("", _("Any"))] + [
            (key, f"{ct.app_label}: {ct.model}") for key, ct in self.content_types.items()
        ]

    def clean(self):
        data = super().clean()
        data["source"] = data.get("source") or self.TRAIL
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", _("Choose the kind of object the id belongs to."))
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        data["content_type"] = self.content_types.get(data.get("object_type") or "")
        return data


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or e-mail"), max_length=200, required=False)


class LockdownForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Kept with the lockdown, for staff only."),
    )
    deactivate = forms.BooleanField(
        label=gettext_lazy(
            "Also deactivate the account (no one can sign in with it until an admin reactivates it)"
        ),
        required=False,
    )


class ScaleChangeForm(forms.Form):
    """Ask for a change of the confidentiality scale: a new level, or new values for one."""

    level = forms.ModelChoiceField(
        label=gettext_lazy("Level"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("A new level"),
        help_text=gettext_lazy("Leave as “A new level” to add one to the scale."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    rank = forms.IntegerField(
        label=gettext_lazy("Rank"),
        min_value=0,
        max_value=32767,
        help_text=gettext_lazy("Higher is stricter. Each level has its own rank."),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"),
        help_text=gettext_lazy("Who, besides a clearance, may see it."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        from dialogues.scale.selectors import audience_choices, scale_levels

        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = scale_levels()
        self.fields["audience"].choices = audience_choices()

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("name", "rank", "audience", "description")
        }
