"""Forms of the workspace: the dialogue, its sides, its roster. They validate what a user typed;
the services in ``dialogues.workspace.services`` act on it. Forms are built without ``instance``
so that validating one never alters the record the service compares against."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Membership, Person
from participants.selectors import language_choices
from trackii.lists import ListForm, search_field

from ..models import Dialogue, Side
from .selectors import NO_SIDE, ROSTER_SORTS
from .services import DIALOGUE_FIELDS, PERSON_FIELDS

# -- the dialogue ---------------------------------------------------------------------------------


# The ground rules in languages other than the main one: one box per language Trackii speaks.
TRANSLATED_RULES = "ground_rules_in_"


class DialogueForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=gettext_lazy("Main language"),
        choices=settings.LANGUAGES,
        # Left out of a form (a script, an older page), the dialogue keeps its own.
        required=False,
        initial=settings.LANGUAGE_CODE,
        help_text=gettext_lazy(
            "The language the ground rules are written in first: members whose language has "
            "no text of its own read them in it."
        ),
    )

    class Meta:
        model = Dialogue
        fields = [f for f in DIALOGUE_FIELDS if f != "ground_rules_translations"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 4}),
            "briefing_summary": forms.Textarea(attrs={"rows": 4}),
            "ground_rules": forms.Textarea(attrs={"rows": 6}),
        }
        # The fields whose label Django would derive from their name (not translatable).
        labels = {
            "title": gettext_lazy("Title"),
            "convening_organisation": gettext_lazy("Convening organisation"),
            "track": gettext_lazy("Track"),
            "aim": gettext_lazy("Aim"),
            "status": gettext_lazy("Status"),
            "default_level": gettext_lazy("Default level"),
            "ground_rules": gettext_lazy("Ground rules"),
            "cover_name": gettext_lazy("Cover name"),
            "outbound_level": gettext_lazy("Outbound level"),
        }

    def __init__(self, *args, outbound_levels=None, **kwargs):
        """``outbound_levels``: the levels the editor may choose (``confidentiality.
        outbound_levels``: none above their own clearance); every level when starting a
        dialogue (its creator is cleared for all of them)."""
        super().__init__(*args, **kwargs)
        self.fields["default_level"].empty_label = None
        self.fields["cover_name"].required = False
        outbound = self.fields["outbound_level"]
        outbound.empty_label = _("The lowest level (Public)")
        if outbound_levels is not None:
            outbound.queryset = outbound_levels
        outbound.help_text = _(
            "The most confidential material e-mail, calendar feeds and file names may carry; "
            "the cover name stands in for the rest. Raising it takes effect once another "
            "member of the convening team, cleared for the new level, confirms it."
        )
        # A box for the ground rules in each other language, after the main text.
        written = (self.instance.ground_rules_translations or {}) if self.instance.pk else {}
        written = {**written, **(self.initial.get("ground_rules_translations") or {})}
        posted = self.data.get(self.add_prefix("language")) if self.is_bound else None
        main = (
            posted
            or self.initial.get("language")
            or (self.instance.language if self.instance.pk else settings.LANGUAGE_CODE)
        )
        fields = list(self.fields.items())
        place = [name for name, _field in fields].index("ground_rules") + 1
        extra = [
            (
                f"{TRANSLATED_RULES}{code}",
                forms.CharField(
                    label=_("Ground rules in %(language)s") % {"language": name},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4, "lang": code, "dir": "auto"}),
                    initial=written.get(code, ""),
                    help_text=_("Optional: members who read %(language)s see this text.")
                    % {"language": name},
                ),
            )
            for code, name in settings.LANGUAGES
            if code != main
        ]
        self.fields = dict(fields[:place] + extra + fields[place:])

    def clean_cover_name(self) -> str:
        name = self.cleaned_data["cover_name"].strip()
        # It goes into e-mail subjects, where a line break would start another header (Django
        # refuses to send such a subject at all), and into calendars and file names.
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name):
            raise ValidationError(
                _("The cover name is one line of text: no line breaks or control characters.")
            )
        # Something must stand in for titles that may not leave Trackii: a cover name is
        # stored as written, so the default is written in the language of whoever leaves it
        # empty.
        return name or _("Meetings")

    def values(self) -> dict[str, Any]:
        values = {
            name: self.cleaned_data[name]
            for name in DIALOGUE_FIELDS
            if name != "ground_rules_translations"
        }
        main = values["language"] = values["language"] or (
            self.instance.language if self.instance.pk else settings.LANGUAGE_CODE
        )
        values["ground_rules_translations"] = {
            code: text.strip()
            for code, _name in settings.LANGUAGES
            if code != main
            and (text := self.cleaned_data.get(f"{TRANSLATED_RULES}{code}", ""))
            and text.strip()
        }
        return values


class DialogueEditForm(DialogueForm):
    """The edit carries the revision it started from, so a save over someone else's is
    refused rather than silently overwriting it."""

    edit_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def initial_for(cls, dialogue: Dialogue) -> dict[str, Any]:
        initial = forms.model_to_dict(dialogue, fields=DIALOGUE_FIELDS)
        initial["edit_revision"] = dialogue.edit_revision
        return initial


# -- sides ----------------------------------------------------------------------------------------


class SideForm(forms.ModelForm):
    class Meta:
        model = Side
        fields = ["name", "is_third_party", "position"]
        labels = {
            "name": gettext_lazy("Name"),
            "is_third_party": gettext_lazy("Third party (facilitation)"),
            "position": gettext_lazy("Position"),
        }
        help_texts = {"position": gettext_lazy("Sides are listed in this order.")}

    def __init__(self, *args, dialogue: Dialogue, side: Side | None = None, **kwargs):
        self.dialogue = dialogue
        self.side = side
        if side is not None:
            kwargs.setdefault(
                "initial", forms.model_to_dict(side, fields=["name", "is_third_party", "position"])
            )
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Side.objects.filter(dialogue=self.dialogue, name__iexact=name)
        if self.side is not None:
            others = others.exclude(pk=self.side.pk)
        if others.exists():
            raise ValidationError(
                _("This dialogue already has a side called “%(name)s”.") % {"name": name}
            )
        return name

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "is_third_party", "position")}


class SideChoiceForm(forms.Form):
    """Names one side of this dialogue (to rename or delete it)."""

    side = forms.ModelChoiceField(queryset=Side.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, dialogue: Dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["side"].queryset = Side.objects.filter(dialogue=dialogue)


# -- the roster -----------------------------------------------------------------------------------


def _membership_fields(dialogue: Dialogue, sides, levels, roles) -> dict[str, forms.Field]:
    """``levels``: the clearances the one editing may give (``confidentiality.grantable_levels``);
    ``roles``: the roles they may give (``confidentiality.assignable_roles``); the services
    check the same rules."""
    return {
        "side": forms.ModelChoiceField(
            queryset=sides if sides is not None else Side.objects.filter(dialogue=dialogue),
            required=False,
            label=_("Side"),
            empty_label=_("No side"),
        ),
        "role": forms.ChoiceField(
            choices=[(value, label) for value, label in Membership.Role.choices if value in roles],
            initial=Membership.Role.PARTICIPANT,
            label=_("Role"),
            help_text=None
            if Membership.Role.CONVENOR in roles
            else _("Only a convenor gives the convenor, facilitator and rapporteur roles."),
        ),
        "clearance": forms.ModelChoiceField(
            queryset=levels,
            empty_label=None,
            initial=dialogue.default_level_id,
            label=_("Clearance"),
            help_text=_("The most confidential level of material they may see."),
        ),
    }


class _MembershipValues:
    def membership_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("side", "role", "clearance")}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        details = ", ".join(part for part in (obj.position, obj.affiliation) if part)
        return f"{obj.full_name} ({details})" if details else obj.full_name


class RosterExistingPersonForm(_MembershipValues, forms.Form):
    """Someone the convening team already works with: the choice is limited to ``persons``
    (``workspace.selectors.persons_known_to``), so an id from elsewhere is refused."""

    person = PersonChoiceField(
        queryset=Person.objects.none(), empty_label=None, label=gettext_lazy("Person")
    )

    def __init__(self, *args, dialogue: Dialogue, persons, levels, roles, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
        self.fields.update(_membership_fields(dialogue, sides, levels, roles))


class RosterNewPersonForm(_MembershipValues, forms.ModelForm):
    """A person not yet known, and their place on this roster."""

    # The language Trackii writes to them in, from the invitation on (issue 20).
    language = forms.ChoiceField(
        label=Person._meta.get_field("language").verbose_name,
        choices=language_choices,
        required=False,
    )

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        # Every label here: Django would derive most of them from the fields' names.
        labels = {
            "full_name": gettext_lazy("Full name"),
            "family_name": gettext_lazy("Family name"),
            "name_original_script": gettext_lazy("Name in its own script"),
            "affiliation": gettext_lazy("Affiliation"),
            "position": gettext_lazy("Position"),
            "nationality": gettext_lazy("Nationality"),
            "gender": gettext_lazy("Gender"),
            "languages": gettext_lazy("Languages"),
            "email": gettext_lazy("E-mail address"),
        }

    def __init__(self, *args, dialogue: Dialogue, levels, roles, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_membership_fields(dialogue, sides, levels, roles))

    def clean_nationality(self) -> str:
        code = self.cleaned_data["nationality"].strip().upper()
        if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise ValidationError(_("Two letters, as in ISO 3166-1 (e.g. IN, PK, GB)."))
        return code

    def person_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class MembershipEditForm(_MembershipValues, forms.Form):
    def __init__(
        self,
        *args,
        dialogue: Dialogue,
        membership: Membership,
        levels,
        roles,
        sides=None,
        **kwargs,
    ):
        kwargs.setdefault(
            "initial",
            {
                "side": membership.side_id,
                "role": membership.role,
                "clearance": membership.clearance_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields.update(_membership_fields(dialogue, sides, levels, roles))


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search people you work with"), max_length=100, required=False
    )


class RosterFilterForm(ListForm):
    """The roster's toolbar. ``sides``: the dialogue's sides; ``levels``: the clearances the
    viewer may give (``confidentiality.grantable_levels``), the only ones they may filter by."""

    sorts = ROSTER_SORTS

    search = search_field(gettext_lazy("Name or affiliation"))
    side = forms.ChoiceField(label=gettext_lazy("Side"), required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        required=False,
        choices=[("", gettext_lazy("Any role")), *Membership.Role.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any state")), *Membership.State.choices],
    )
    clearance = forms.ChoiceField(label=gettext_lazy("Clearance"), required=False)

    def __init__(self, data=None, *, sides, levels, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["side"].choices = [
            ("", _("Any side")),
            *((str(side.pk), side.name) for side in sides),
            (NO_SIDE, _("No side")),
        ]
        self.fields["clearance"].choices = [
            ("", _("Any clearance")),
            *((str(level.pk), level.label) for level in levels),
        ]


class RosterBulkForm(forms.Form):
    """What to do with the members ticked on the roster: invite them, or put them on a side of
    this dialogue. The members themselves are read by the view (``roster_memberships``): an id
    that names no member of this roster refuses the whole request."""

    INVITE = "invite"
    SIDE_PREFIX = "side-"

    bulk_action = forms.ChoiceField(label=gettext_lazy("With the selected"))

    def __init__(self, *args, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.sides = {f"{self.SIDE_PREFIX}{side.pk}": side for side in sides}
        self.fields["bulk_action"].choices = [
            (self.INVITE, _("Invite the selected")),
            *(
                (key, _("Set side to %(side)s") % {"side": side.name})
                for key, side in self.sides.items()
            ),
        ]

    @property
    def side(self) -> Side | None:
        """The side chosen, if the action is to set one."""
        return self.sides.get(self.cleaned_data["bulk_action"])
