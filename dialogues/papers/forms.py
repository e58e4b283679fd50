"""The upload form for papers. The paper's place (dialogue, session, agenda item) comes from the
URL; the form offers only the levels that place allows (narrow-only) and only people on the
dialogue's roster as named readers. The service checks all of it again. And the Papers tab's
toolbar."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Person
from participants.selectors import roster_of
from trackii.forms import ModelMultipleChoiceField
from trackii.lists import ListForm, search_field

from ..confidentiality import levels_at_or_above
from ..models import ConfidentialityLevel, Dialogue, Document
from .selectors import PAPER_SORTS, WHOLE_DIALOGUE
from .services import ACCEPTED_KINDS, document_file_check, size_text


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    kind = forms.ChoiceField(
        choices=Document.Kind.choices, initial=Document.Kind.OTHER, label=gettext_lazy("Kind")
    )
    level = forms.ModelChoiceField(
        queryset=ConfidentialityLevel.objects.none(), empty_label=None, label=gettext_lazy("Level")
    )
    readers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Named readers"),
        help_text=gettext_lazy(
            "Used when the level is for named people only. You are named automatically."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.xlsx,.pptx,.odt,.txt,.md,.png,.jpg,.jpeg"}
        ),
    )

    def __init__(
        self, *args, dialogue: Dialogue, floor: ConfidentialityLevel | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        if floor is None:
            level.queryset = ConfidentialityLevel.objects.all()
            default = dialogue.default_level
        else:
            level.queryset = levels_at_or_above(floor)
            default = max(floor, dialogue.default_level, key=lambda lvl: lvl.rank)
            level.help_text = _(
                "“%(level)s” or stricter: a paper is never below its place's level."
            ) % {"level": floor.label}
            level.error_messages["invalid_choice"] = _(
                "Choose “%(level)s” or a stricter level: material can be narrowed, never widened."
            ) % {"level": floor.label}
        level.initial = default.pk
        roster = roster_of(dialogue_id=dialogue.pk)
        self.fields["readers"].queryset = Person.objects.filter(
            pk__in=roster.values("person_id")
        ).order_by("family_name", "full_name", "pk")
        limit = size_text(settings.DOCUMENT_MAX_UPLOAD_BYTES)
        self.fields["file"].help_text = _("%(kinds)s; at most %(limit)s.") % {
            "kinds": ACCEPTED_KINDS,
            "limit": limit,
        }

    def clean_file(self):
        # Checked here for a message beside the field; the service checks again before storing.
        upload = self.cleaned_data["file"]
        document_file_check(upload)
        return upload


class DocumentPlaceForm(forms.Form):
    """Where a new paper goes, from the upload URL's query: ``?session=<id>&item=<id>``."""

    session = forms.IntegerField(required=False, min_value=1)
    item = forms.IntegerField(required=False, min_value=1)


class PapersFilterForm(ListForm):
    """The Papers tab's toolbar. ``sessions``: the sessions the viewer may see; ``levels``: the
    levels they may read anything at (``confidentiality.readable_levels``), the only ones
    offered."""

    sorts = PAPER_SORTS

    search = search_field(gettext_lazy("Title"))
    in_session = forms.ChoiceField(label=gettext_lazy("Session"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("Level"), required=False)

    def __init__(self, data=None, *, sessions, levels, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["in_session"].choices = [
            ("", _("All papers")),
            (WHOLE_DIALOGUE, _("Dialogue-wide (no session)")),
            *((str(session.pk), session.title) for session in sessions),
        ]
        self.fields["level"].choices = [
            ("", _("Any level")),
            *((str(level.pk), level.label) for level in levels),
        ]
