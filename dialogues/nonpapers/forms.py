"""Forms of non-papers: drafted from ideas the drafter reads, at a level they may read; the
working version's text, one box per paragraph; a caucus comment or a reply."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participants.models import Person
from trackii.forms import ModelMultipleChoiceField

from ..forms import LevelChoiceField
from ..models import ConfidentialityLevel, Idea, NonPaperVersion
from .services import MAX_COMMENT_CHARS, MAX_PARAGRAPH_CHARS, MAX_PARAGRAPHS


def _text_help() -> str:
    return gettext(
        "One paragraph per block, separated by a blank line; they are numbered for everyone. "
        "At most %(paragraphs)s paragraphs of %(characters)s characters each."
    ) % {"paragraphs": MAX_PARAGRAPHS, "characters": MAX_PARAGRAPH_CHARS}


def _comment_help() -> str:
    return gettext("At most %(count)s characters.") % {"count": MAX_COMMENT_CHARS}


class IdeaChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Idea) -> str:
        return f"{obj.title} ({obj.get_state_display().lower()}, {obj.level.label})"


class NonPaperForm(forms.Form):
    ideas = IdeaChoiceField(
        queryset=Idea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Drafted from"),
        help_text=_(
            "The ideas the text develops. Only those who may read every one of them (and the "
            "non-paper's level) will see it."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_PARAGRAPHS * (MAX_PARAGRAPH_CHARS + 2),
        help_text=lazy(_text_help, str)(),
    )
    level = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(),
        empty_label=None,
        label=_("Level"),
        help_text=_("At least the level of each idea it comes from."),
    )
    readers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Readers"),
        help_text=_("Named readers, for the level that is for named people only."),
    )

    def __init__(self, *args, ideas, levels, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = ideas
        self.fields["level"].queryset = levels
        self.fields["readers"].queryset = people


class VersionForm(forms.Form):
    """The working version: a box and an order for each of its paragraphs, new ones at the
    end, what changed, and the revision the editor started from."""

    edit_revision = forms.IntegerField(widget=forms.HiddenInput)
    added = forms.CharField(
        label=_("New paragraphs at the end"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_PARAGRAPHS * (MAX_PARAGRAPH_CHARS + 2),
        help_text=_("Separate paragraphs with a blank line."),
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=300,
        help_text=NonPaperVersion._meta.get_field("note").help_text,
    )

    def __init__(self, *args, version: NonPaperVersion, **kwargs):
        kwargs.setdefault("initial", {"edit_revision": version.edit_revision, "note": version.note})
        super().__init__(*args, **kwargs)
        paragraphs = version.paragraphs
        if self.is_bound:
            # The paragraphs the editor was shown: one saved meanwhile is not in their form (the
            # service keeps it where it stands).
            paragraphs = [p for p in paragraphs if f"text_{p['id']}" in self.data]
        self.paragraph_ids = [p["id"] for p in paragraphs]
        count = len(version.paragraphs)
        for n, paragraph in enumerate(paragraphs, start=1):
            pid = paragraph["id"]
            self.fields[f"text_{pid}"] = forms.CharField(
                label=gettext("Text of paragraph %(number)s") % {"number": n},
                required=False,
                initial=paragraph["text"],
                max_length=MAX_PARAGRAPHS * (MAX_PARAGRAPH_CHARS + 2),
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("Empty it to remove the paragraph; a blank line splits it in two."),
            )
            self.fields[f"order_{pid}"] = forms.IntegerField(
                label=gettext("Place of paragraph %(number)s") % {"number": n},
                initial=n,
                min_value=1,
                max_value=max(count, 1),
                widget=forms.NumberInput(attrs={"class": "input--narrow"}),
            )

    def paragraph_fields(self):
        """(text field, order field) of each paragraph, in order, for the template."""
        return [(self[f"text_{pid}"], self[f"order_{pid}"]) for pid in self.paragraph_ids]

    def paragraphs(self) -> list[tuple[int, int, str]]:
        return [
            (pid, self.cleaned_data[f"order_{pid}"], self.cleaned_data[f"text_{pid}"])
            for pid in self.paragraph_ids
        ]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=lazy(_comment_help, str)(),
    )
