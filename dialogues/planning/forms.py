"""Forms of the planner. Times are entered in the venue's time zone; levels offered never go
below the container's (narrow-only; the services enforce it again on the server)."""

import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from participants.models import Membership, Person
from trackii.forms import DATETIME_EXAMPLE, ModelMultipleChoiceField, WallClockField
from trackii.timezones import zone_choices

from ..confidentiality import levels_at_or_above
from ..forms import LevelChoiceField
from ..models import AgendaItem, ConfidentialityLevel, Session, Side


def in_venue_zone(zone: str | None = None) -> str:
    """The help of a time typed in the venue's zone."""
    if zone:
        return gettext(
            "Day/month/year and 24-hour time, in the venue's time zone (%(zone)s): for example "
            "%(example)s."
        ) % {"zone": zone, "example": DATETIME_EXAMPLE}
    return gettext(
        "Day/month/year and 24-hour time, in the venue's time zone: for example %(example)s."
    ) % {"example": DATETIME_EXAMPLE}


# For a form's class: the help above, written when the page is (in the reader's language).
_in_venue_zone_lazy = lazy(in_venue_zone, str)


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """A form's naive wall-clock time, read in the venue's zone."""
    if value is None:
        return None
    naive = (
        timezone.make_naive(value, timezone.get_current_timezone())
        if timezone.is_aware(value)
        else value
    )
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def wall_clock(value: datetime | None, zone: str) -> datetime | None:
    """A stored time as the venue's wall clock, for a form's initial value."""
    return (
        None
        if value is None
        else timezone.localtime(value, zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    )


# Far enough from datetime's own limits (years 1 and 9999) that no time zone shift, on saving in
# UTC or on showing in a reader's zone, can overflow it.
YEARS = range(1900, 3000)
OUT_OF_RANGE = gettext_noop("Enter a date between the years 1900 and 2999.")


def check_years(form: forms.Form, data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        value = data.get(name)
        if value is not None and value.year not in YEARS:
            form.add_error(name, gettext(OUT_OF_RANGE))


def _shown(naive: datetime) -> str:
    return gettext("%(time)s on %(date)s") % {
        "time": naive.strftime("%H:%M"),
        "date": naive.strftime("%d/%m/%Y"),
    }


def check_wall_clock(form: forms.Form, data: dict, names: tuple[str, ...], zone: str) -> None:
    """Refuse, on its field, a time the venue's clocks skip (the hour lost when they go
    forward) or show twice (the hour repeated when they go back): which moment is meant
    cannot be known. Times stay in the venue's zone; the change is named."""
    tz = zoneinfo.ZoneInfo(zone)
    for name in names:
        value = data.get(name)
        if value is None or name in form.errors:
            continue
        naive = (
            timezone.make_naive(value, timezone.get_current_timezone())
            if timezone.is_aware(value)
            else value
        )
        # PEP 495: in an hour shown twice, the first pass (fold 0) is ahead of the second; in
        # an hour skipped, fold 0 reads it with the offset before the change, fold 1 after.
        before = naive.replace(tzinfo=tz).utcoffset()
        after = naive.replace(tzinfo=tz, fold=1).utcoffset()
        if before is not None and after is not None and before > after:
            form.add_error(
                name,
                gettext(
                    "%(moment)s happens twice in %(zone)s (the clocks go back): choose a time "
                    "outside that hour."
                )
                % {"moment": _shown(naive), "zone": zone},
            )
        elif before != after:
            form.add_error(
                name,
                gettext(
                    "There is no %(moment)s in %(zone)s (the clocks go forward): choose a time "
                    "outside that hour."
                )
                % {"moment": _shown(naive), "zone": zone},
            )


def check_one_clock(form: forms.Form, data: dict, zone: str) -> None:
    """Refuse an item that would run across a change of the venue's clocks: its length and
    its times would disagree."""
    start, end = data.get("start"), data.get("end")
    if start and end and end > start and "end" not in form.errors:
        tz = zoneinfo.ZoneInfo(zone)
        if start.astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset():
            form.add_error(
                "end",
                gettext(
                    "The clocks change in %(zone)s during this item: end it before the change or "
                    "start it after."
                )
                % {"zone": zone},
            )


class MemberChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        side = f", {obj.side.name}" if obj.side_id else ""
        return f"{obj.person.full_name} ({obj.get_role_display().lower()}{side})"


class ModeratorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.person.full_name} ({obj.get_role_display().lower()})"


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_(
            "The venue's time zone. The likely ones come first; then every zone by region."
        ),
    )
    start = WallClockField(label=_("Start"), help_text=_in_venue_zone_lazy())
    end = WallClockField(label=_("End"), help_text=_in_venue_zone_lazy())
    level = LevelChoiceField(
        queryset=ConfidentialityLevel.objects.all(),
        empty_label=None,
        label=_("Level"),
        help_text=_("Who may know that this session takes place at all."),
    )
    readers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Readers"),
        help_text=_("Named readers: they alone see it when its level is for named people."),
    )
    attending_sides = ModelMultipleChoiceField(
        queryset=Side.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Attending sides"),
        help_text=_("Every member of these sides attends."),
    )
    attendees = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Attendees"),
        help_text=_("And these members by name."),
    )
    edit_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dialogue, roster, likely_zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The likely zones first (``likely_session_zones``), deprecated names hidden unless
        # one of them is already stored; nothing is chosen for the person.
        self.fields["time_zone"].choices = zone_choices(
            likely=likely_zones, empty_label=gettext("Choose the venue's time zone")
        )
        self.fields["attending_sides"].queryset = Side.objects.filter(dialogue=dialogue)
        members = [m for m in roster if m.state not in ("rejected", "declined")]
        self.fields["attendees"].queryset = Membership.objects.filter(
            pk__in=[m.pk for m in members]
        ).select_related("person", "side")
        self.fields["readers"].queryset = Person.objects.filter(
            pk__in=[m.person_id for m in members]
        )
        self.roster = members

    def clean(self):
        data = super().clean()
        check_years(self, data, ("start", "end"))
        zone = data.get("time_zone")
        if zone:
            data["start"] = in_zone(data.get("start"), zone)
            data["end"] = in_zone(data.get("end"), zone)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", gettext("The session must end after it starts."))
        return data

    def chosen_attendees(self) -> list[Membership]:
        sides = {s.pk for s in self.cleaned_data.get("attending_sides", [])}
        named = {m.pk for m in self.cleaned_data.get("attendees", [])}
        return [m for m in self.roster if m.side_id in sides or m.pk in named]

    def session_values(self) -> dict:
        keys = ("title", "kind", "venue", "city", "time_zone", "start", "end", "level")
        return {k: self.cleaned_data[k] for k in keys}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start = WallClockField(label=_("Start"), required=False)
    end = WallClockField(label=_("End"), required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    moderator = ModeratorChoiceField(
        label=_("Moderator"), queryset=Membership.objects.none(), required=False
    )
    level = LevelChoiceField(
        label=_("Level"), queryset=ConfidentialityLevel.objects.none(), empty_label=None
    )
    readers = ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Readers"),
        help_text=_("Named readers, for the level that is for named people only."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    edit_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, session: Session, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["level"].queryset = levels_at_or_above(session.level)
        members = [m for m in roster if m.state not in ("rejected", "declined")]
        self.fields["moderator"].queryset = Membership.objects.filter(
            pk__in=[m.pk for m in members]
        ).select_related("person")
        self.fields["readers"].queryset = Person.objects.filter(
            pk__in=[m.person_id for m in members]
        )
        zone = session.time_zone
        self.fields["start"].help_text = in_venue_zone(zone)
        self.fields["end"].help_text = in_venue_zone(zone)

    def clean(self):
        data = super().clean()
        check_years(self, data, ("start", "end"))
        zone = self.session.time_zone
        check_wall_clock(self, data, ("start", "end"), zone)
        data["start"] = in_zone(data.get("start"), zone)
        data["end"] = in_zone(data.get("end"), zone)
        check_one_clock(self, data, zone)
        return data

    def item_values(self) -> dict:
        keys = ("title", "start", "end", "room", "kind", "moderator", "level", "description")
        return {k: self.cleaned_data[k] for k in keys}


STEP = timedelta(minutes=15)
# Keyboard steps on the timetable, each a button of its own (they work without JavaScript).
STEPS = {
    "earlier": (-STEP, -STEP),
    "later": (STEP, STEP),
    "longer": (timedelta(0), STEP),
    "shorter": (timedelta(0), -STEP),
}


class RetimeForm(forms.Form):
    """A new start and end for an item on the timetable (dragged, or typed), or one keyboard
    ``step`` from where it is; and, dropped in a room's column, that room. The same checks as
    the item's form: within the session, after its start, on one side of a change of clocks."""

    start = WallClockField(label=_("Start"), required=False)
    end = WallClockField(label=_("End"), required=False)
    step = forms.ChoiceField(label=_("Step"), choices=[(k, k) for k in STEPS], required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)

    def __init__(self, *args, item: AgendaItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def clean(self):
        data = super().clean()
        zone = self.item.session.time_zone
        step = data.get("step")
        if step:
            if not (self.item.start and self.item.end):
                raise forms.ValidationError(gettext("Give the item a start and an end first."))
            earlier, later = STEPS[step]
            data["start"] = self.item.start + earlier
            data["end"] = self.item.end + later
            if data["end"] <= data["start"]:
                self.add_error("end", gettext("The item must end after it starts."))
            check_one_clock(self, data, zone)
            return data
        if not data.get("start") and "start" not in self.errors:
            self.add_error("start", gettext("Give the new start."))
        if not data.get("end") and "end" not in self.errors:
            self.add_error("end", gettext("Give the new end."))
        check_years(self, data, ("start", "end"))
        check_wall_clock(self, data, ("start", "end"), zone)
        data["start"] = in_zone(data.get("start"), zone)
        data["end"] = in_zone(data.get("end"), zone)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", gettext("The item must end after it starts."))
        check_one_clock(self, data, zone)
        return data


def new_item_initial(session: Session, items: list[AgendaItem]) -> dict:
    """Where a new item most likely goes: at the end of the last timed item (else at the
    session's start), as long as the last item's (else an hour), in the venue's wall clock;
    in the last item's room."""
    zone = session.time_zone
    timed = [i for i in items if i.start and i.end]
    if timed:
        last = max(timed, key=lambda i: (i.end, i.order, i.pk))
        start, length, room = last.end, last.end - last.start, last.room
    else:
        start, length, room = session.start, timedelta(hours=1), ""
    end = start + length
    if end > session.end:
        return {"room": room}
    return {"start": wall_clock(start, zone), "end": wall_clock(end, zone), "room": room}


def session_initial(session: Session) -> dict:
    return {
        "title": session.title,
        "kind": session.kind,
        "venue": session.venue,
        "city": session.city,
        "time_zone": session.time_zone,
        "start": wall_clock(session.start, session.time_zone),
        "end": wall_clock(session.end, session.time_zone),
        "level": session.level_id,
        "readers": [p.pk for p in session.readers.all()],
        "attendees": list(session.attendances.values_list("membership_id", flat=True)),
        "edit_revision": session.edit_revision,
    }


def item_initial(item: AgendaItem) -> dict:
    zone = item.session.time_zone
    return {
        "title": item.title,
        "start": wall_clock(item.start, zone),
        "end": wall_clock(item.end, zone),
        "room": item.room,
        "kind": item.kind,
        "moderator": item.moderator_id,
        "level": item.level_id,
        "readers": [p.pk for p in item.readers.all()],
        "description": item.description,
        "edit_revision": item.edit_revision,
    }
