"""Forms of transfers and observed changes: logging that an idea reached an official, recording
the official's reaction (against the revision it was read at), and an observed change with the
ideas and transfers behind it. Each is held at a level the author may read, no lower than the
convening team's; the services check all of it again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Membership, Person
from trackii.forms import DayField, ModelMultipleChoiceField

from ..forms import LevelChoiceField
from ..models import (
    BriefingPackCopy,
    ConfidentialityLevel,
    Idea,
    ObservedChange,
    Official,
    Transfer,
)

READERS_HELP = gettext_lazy(
    "Only for the level that is for named people: who may read it besides you. Others never "
    "learn it exists."
)


def _level(help_text) -> LevelChoiceField:
    return LevelChoiceField(
        queryset=ConfidentialityLevel.objects.none(),
        empty_label=None,
        label=gettext_lazy("Level"),
        help_text=help_text,
    )


def _readers() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        label=gettext_lazy("Named readers"),
        widget=forms.CheckboxSelectMultiple,
        help_text=READERS_HELP,
        required=False,
    )


def _text(label, *, rows: int = 3, required: bool = True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Official) -> str:
        where = ", ".join(part for part in (obj.position, obj.institution) if part)
        return f"{obj.name} ({where})" if where else obj.name


class CarrierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.person.full_name} ({obj.get_role_display().lower()})"


class CopyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: BriefingPackCopy) -> str:
        return _("Pack of %(day)s, copy %(number)s of %(total)s, to %(name)s") % {
            "day": obj.pack.requested_at.strftime("%d/%m/%Y"),
            "number": obj.number,
            "total": obj.total,
            "name": obj.recipient_name,
        }


class IdeaLinkField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Idea) -> str:
        return f"{obj.title} ({obj.level.label})"


class TransferLinkField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Transfer) -> str:
        return _("%(idea)s: to %(official)s, %(day)s (%(means)s)") % {
            "idea": obj.idea.title,
            "official": obj.official.name,
            "day": f"{obj.occurred_on:%d/%m/%Y}",
            "means": obj.get_means_display().lower(),
        }


class TransferForm(forms.Form):
    """That an idea reached an official. ``officials``, ``carriers``, ``copies``, ``levels``,
    ``people``: what it offers (``selectors``)."""

    official = OfficialChoiceField(
        queryset=Official.objects.none(),
        label=gettext_lazy("Official"),
        empty_label=gettext_lazy("Choose the official"),
        help_text=gettext_lazy(
            "Briefed officials of the register. Someone new? Add them under Officials."
        ),
    )
    means = forms.ChoiceField(label=gettext_lazy("How"), choices=Transfer.Means.choices)
    occurred_on = DayField(label=gettext_lazy("When"))
    carried_by = CarrierChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label=gettext_lazy("Carried by"),
        empty_label=gettext_lazy("Not recorded"),
        help_text=gettext_lazy("Who of the convening team took it to them."),
    )
    pack_copy = CopyChoiceField(
        queryset=BriefingPackCopy.objects.none(),
        required=False,
        label=gettext_lazy("Briefing pack copy"),
        empty_label=gettext_lazy("None: it did not go in a pack"),
        help_text=gettext_lazy(
            "If it went in a pack: the copy whose link went to this official. “How” is then a "
            "briefing pack copy."
        ),
    )
    reaction_kind = forms.ChoiceField(
        label=gettext_lazy("Their reaction"),
        choices=Transfer.Reaction.choices,
        initial=Transfer.Reaction.UNKNOWN,
    )
    reaction = _text(
        gettext_lazy("The reaction, in words"),
        required=False,
        help_text=Transfer._meta.get_field("reaction").help_text,
    )
    level = _level(
        gettext_lazy(
            "The convening team's level or stricter, and never below the idea's own level."
        )
    )
    readers = _readers()

    def __init__(self, *args, officials, carriers, copies, levels, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = officials
        self.fields["carried_by"].queryset = carriers
        self.fields["pack_copy"].queryset = copies
        self.fields["level"].queryset = levels
        self.fields["readers"].queryset = people

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReactionForm(forms.Form):
    """The official's reaction, saved against the revision the page was read at."""

    reaction_kind = forms.ChoiceField(
        label=gettext_lazy("Their reaction"), choices=Transfer.Reaction.choices
    )
    reaction = _text(
        gettext_lazy("The reaction, in words"),
        required=False,
        help_text=Transfer._meta.get_field("reaction").help_text,
    )
    edit_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    @classmethod
    def of(cls, transfer: Transfer) -> ReactionForm:
        return cls(
            initial={
                "reaction_kind": transfer.reaction_kind,
                "reaction": transfer.reaction,
                "edit_revision": transfer.edit_revision,
            }
        )

    def after_conflict(self, current: Transfer) -> ReactionForm:
        """This form again with the values typed into it, at the revision now saved: saving
        again is then a decision taken with the other reaction in view."""
        again = ReactionForm({**self.cleaned_data, "edit_revision": current.edit_revision})
        again.is_valid()
        return again


class ChangeForm(forms.Form):
    """An observed change, in the terms of outcome harvesting. ``ideas`` and ``transfers``:
    those the author may see; ``levels``, ``people``: as for a transfer."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What kind of change"), choices=ObservedChange.Kind.choices
    )
    observed_on = DayField(label=gettext_lazy("When observed"))
    who_changed = forms.CharField(
        label=gettext_lazy("Who changed"),
        max_length=200,
        help_text=gettext_lazy(
            "The official, office or body whose position, policy or practice changed."
        ),
    )
    what_changed = _text(gettext_lazy("What changed"), rows=4)
    significance = _text(gettext_lazy("Why it matters"))
    contribution = _text(gettext_lazy("How the dialogue contributed"))
    substantiated_by = forms.CharField(
        label=gettext_lazy("Who substantiated it"),
        max_length=300,
        required=False,
        help_text=ObservedChange._meta.get_field("substantiated_by").help_text,
    )
    ideas = IdeaLinkField(
        queryset=Idea.objects.none(),
        required=False,
        label=gettext_lazy("Ideas behind it"),
        widget=forms.CheckboxSelectMultiple,
    )
    transfers = TransferLinkField(
        queryset=Transfer.objects.none(),
        required=False,
        label=gettext_lazy("Transfers behind it"),
        widget=forms.CheckboxSelectMultiple,
    )
    level = _level(
        gettext_lazy(
            "The convening team's level or stricter, and never below an idea or a transfer it "
            "is linked to. Only those who may see everything it is linked to will see it."
        )
    )
    readers = _readers()

    def __init__(self, *args, ideas, transfers, levels, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = ideas
        self.fields["transfers"].queryset = transfers
        self.fields["level"].queryset = levels
        self.fields["readers"].queryset = people

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
