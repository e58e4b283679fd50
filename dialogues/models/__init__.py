"""Dialogue content. Thin models: fields, constraints and cheap properties. Every write goes
through ``dialogues.services``; every permission-filtered read through ``dialogues.selectors``,
which ask ``dialogues.confidentiality``."""

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trackii.choices import quick_displays

from ..storage import private_storage


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(zone)s” is not a known time zone (e.g. Europe/Geneva).") % {"zone": value}
        )


# The default scale's names and descriptions as migration 0003 wrote them, marked for the
# catalogues: reference data people read, shown translated while the organisation keeps them.
DEFAULT_LEVEL_TEXTS = {
    "Public": (
        gettext_noop("Public"),
        gettext_noop(
            "May be shared outside the programme. Trackii still shows it only to members."
        ),
    ),
    "Programme": (
        gettext_noop("Programme"),
        gettext_noop("All members of the programme, under the Chatham House Rule."),
    ),
    "Participants": (
        gettext_noop("Participants"),
        gettext_noop("Those taking part in the session (and the convening team)."),
    ),
    "Facilitators": (
        gettext_noop("Facilitators"),
        gettext_noop("The convening team: convenors and facilitators."),
    ),
    "Restricted": (
        gettext_noop("Restricted"),
        gettext_noop("Only the people named on it, whatever their role."),
    ),
}


# A new dialogue's cover name until its convening team writes one: reference data like the
# default levels, shown in the reader's language (``Dialogue.cover_label``) while it is kept.
DEFAULT_COVER_NAME = gettext_noop("Meetings")


class ConfidentialityLevel(models.Model):
    """One step of the organisation's ordered scale. ``rank`` orders the scale (higher is
    stricter); ``audience`` says who, besides a sufficient clearance, may see material at it."""

    class Audience(models.TextChoices):
        OUTSIDE = "outside", _("May be shared outside the programme")
        PROGRAMME = "programme", _("All members of the programme")
        ATTENDEES = "attendees", _("Those taking part in the session")
        CONVENING_TEAM = "convening_team", _("The convening team")
        NAMED = "named", _("Only the people named on it")

    name = models.CharField(_("Name"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(_("Rank"), unique=True)
    audience = models.CharField(_("Audience"), max_length=20, choices=Audience.choices)
    description = models.TextField(_("Description"), blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: a default level's name (migration 0003) as its
        catalogue translates it; a name the organisation wrote, as written."""
        default = DEFAULT_LEVEL_TEXTS.get(self.name)
        return gettext(default[0]) if default else self.name

    @property
    def label_description(self) -> str:
        """The description in the reader's language, when it is still a default level's own."""
        default = DEFAULT_LEVEL_TEXTS.get(self.name)
        if default and self.description == default[1]:
            return gettext(default[1])
        return self.description


@quick_displays
class Dialogue(models.Model):
    """A programme: a long-running dialogue on one conflict. Its existence is known to its
    members only."""

    class Track(models.TextChoices):
        TRACK_1 = "1", _("Track 1")
        TRACK_1_5 = "1.5", _("Track 1.5")
        TRACK_2 = "2", _("Track 2")
        TRACK_3 = "3", _("Track 3")

    class Aim(models.TextChoices):
        MANAGE = "manage", _("Manage the conflict")
        TRANSFORM = "transform", _("Transform the conflict")

    class Status(models.TextChoices):
        EXPLORATORY = "exploratory", _("Exploratory")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CONCLUDED = "concluded", _("Concluded")

    title = models.CharField(_("Title"), max_length=200)
    context = models.TextField(_("conflict and context"), blank=True)
    convening_organisation = models.CharField(
        _("Convening organisation"), max_length=200, blank=True
    )
    track = models.CharField(_("Track"), max_length=3, choices=Track.choices, default=Track.TRACK_2)
    aim = models.CharField(_("Aim"), max_length=20, choices=Aim.choices, default=Aim.MANAGE)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.EXPLORATORY
    )
    default_level = models.ForeignKey(
        ConfidentialityLevel,
        verbose_name=_("Default level"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Suggested level for new material; a default, not a floor."),
    )
    briefing_summary = models.TextField(
        _("summary for briefings"),
        blank=True,
        help_text=_(
            "What the dialogue is for and where it stands, in words fit for officials: "
            "it opens every briefing pack, whatever the recipient's clearance."
        ),
    )
    ground_rules = models.TextField(_("Ground rules"), blank=True)
    # Issue 20: the language the ground rules (and the dialogue's texts) are written in first,
    # and the ground rules in others: {language code: text}. Members read the text in their
    # language, else this one. Codes are settings.LANGUAGES' (no choices: no migration per
    # language).
    language = models.CharField(
        _("Main language"),
        max_length=10,
        default="en-gb",
        help_text=_(
            "The language the ground rules are written in first: members whose language has no "
            "text of its own read them in it."
        ),
    )
    ground_rules_translations = models.JSONField(default=dict, blank=True)
    ground_rules_version = models.PositiveIntegerField(
        default=1, help_text="Raised whenever the text changes: everyone accepts it again."
    )
    attendance_visible = models.BooleanField(
        _("attendees see who else attends"),
        default=True,
        help_text=_(
            "Whether a session's attendees see its attendance list (the convening team "
            "always does). Turn off to keep even that within the convening team."
        ),
    )
    cover_name = models.CharField(
        _("Cover name"),
        max_length=100,
        default=DEFAULT_COVER_NAME,
        help_text=_(
            "Stands in for any title above the outbound level in e-mail, calendars and "
            "file names (e.g. “Lakeside meetings”)."
        ),
    )
    outbound_level = models.ForeignKey(
        ConfidentialityLevel,
        verbose_name=_("Outbound level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The highest level that may leave Trackii (e-mail, calendars, file names). "
            "Empty means the lowest level of the scale (Public)."
        ),
    )
    edit_revision = models.PositiveIntegerField(
        default=1,
        help_text="Raised by every saved edit; a form saved against an older one is refused.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def ground_rules_in(self, language: str) -> tuple[str, str]:
        """The ground rules in ``language`` and the language they are in: that language's text
        if the convening team wrote one, else the main language's."""
        if language != self.language:
            text = (self.ground_rules_translations or {}).get(language, "")
            if text.strip():
                return text, language
        return self.ground_rules, self.language

    def ground_rules_languages(self) -> list[str]:
        """The languages the ground rules are written in, the main one first."""
        others = [
            code
            for code, text in sorted((self.ground_rules_translations or {}).items())
            if text.strip() and code != self.language
        ]
        return [self.language, *others]

    @property
    def cover_label(self) -> str:
        """The cover name in the reader's language: the default one (``DEFAULT_COVER_NAME``) as
        its catalogue translates it; a cover name the convening team wrote, as written."""
        if self.cover_name == DEFAULT_COVER_NAME:
            return gettext(DEFAULT_COVER_NAME)
        return self.cover_name


class Side(models.Model):
    """A party to the conflict, or the third party that facilitates."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="sides")
    name = models.CharField(_("Name"), max_length=100)
    is_third_party = models.BooleanField(_("Third party (facilitation)"), default=False)
    position = models.PositiveSmallIntegerField(_("Position"), default=0)

    class Meta:
        ordering = ["dialogue_id", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "name"], name="side_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


@quick_displays
class Session(models.Model):
    """A round, workshop or consultation. ``level`` is the level of the fact that it happens at
    all; its venue and agenda inherit it (a child can narrow, never widen)."""

    class Kind(models.TextChoices):
        ROUND = "round", _("Dialogue round")
        WORKSHOP = "workshop", _("Problem-solving workshop")
        PRE_CONSULTATION = "pre_consultation", _("Pre-consultation with one side")
        DEBRIEF = "debrief", _("Debrief")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("session status", "Draft")
        PUBLISHED = "published", pgettext_lazy("session status", "Published")
        HELD = "held", pgettext_lazy("session status", "Held")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("Title"), max_length=200)
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices, default=Kind.ROUND)
    venue = models.CharField(_("Venue"), max_length=200, blank=True)
    city = models.CharField(_("City"), max_length=100, blank=True)
    time_zone = models.CharField(
        _("Time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The venue's time zone; times are entered and shown in it.",
    )
    start = models.DateTimeField(_("Start"))
    end = models.DateTimeField(_("End"))
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    level = models.ForeignKey(
        ConfidentialityLevel, verbose_name=_("Level"), on_delete=models.PROTECT, related_name="+"
    )
    readers = models.ManyToManyField(
        "participants.Person",
        verbose_name=_("Readers"),
        blank=True,
        related_name="+",
        help_text="Named readers, who alone may see it when its level is for named people.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_revision = models.PositiveIntegerField(default=1)
    published_version = models.PositiveIntegerField(
        default=0, help_text="Number of the agenda version participants see; 0 before publishing."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class SessionAttendance(models.Model):
    """Who takes part in which session. ``Participants``-level material of a session is for its
    attendees (and the convening team), so a pre-consultation with one side stays with it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(
        "participants.Membership", on_delete=models.CASCADE, related_name="attendances"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "membership"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"membership {self.membership_id} at session {self.session_id}"


@quick_displays
class AgendaItem(models.Model):
    """One slot of a session's agenda, with its own level (effectively never below the
    session's)."""

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        BREAKOUT = "breakout", _("Breakout")
        INFORMAL = "informal", _("Informal")
        SIDE_CONSULTATION = "side_consultation", _("Side consultation")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField()
    start = models.DateTimeField(_("Start"), null=True, blank=True)
    end = models.DateTimeField(_("End"), null=True, blank=True)
    room = models.CharField(_("Room"), max_length=100, blank=True)
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices, default=Kind.PLENARY)
    moderator = models.ForeignKey(
        "participants.Membership",
        verbose_name=_("Moderator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.ForeignKey(
        ConfidentialityLevel, verbose_name=_("Level"), on_delete=models.PROTECT, related_name="+"
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="agenda_item_order_unique"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gt=F("start")),
                name="agenda_item_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaVersion(models.Model):
    """A published, frozen version of a session's agenda. Participants read the latest one; the
    convening team edits the working agenda (``AgendaItem``) in between."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="agenda_version_unique"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of session {self.session_id}"


@quick_displays
class PublishedAgendaItem(models.Model):
    """An agenda item as it stood when a version was published. What it says is never edited;
    only ``level``, its marking, follows a stricter level of its working item (see below).

    Readers of it are judged by ``dialogues.confidentiality`` (rule 5) on the item as published
    (``level_as_published``, ``readers``) and on its working item as it is now (``source``):
    raising the working item's level or taking a reader off applies at once, loosening waits
    for the next version, and a copy whose working item was deleted (``source`` empty) is
    withdrawn from its readers."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="items")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    # Empty once the working item is deleted: the copy is then withdrawn (the convening team
    # still compares against it).
    source = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField()
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    room = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=AgendaItem.Kind.choices)
    moderator = models.ForeignKey(
        "participants.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level_as_published = models.ForeignKey(
        ConfidentialityLevel,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The level it was published at; never changes (what the change list compares).",
    )
    level = models.ForeignKey(
        ConfidentialityLevel,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The level it is marked with: the stricter of the level as published and its "
        "working item's level now (kept so by the agenda services). Pages, PDFs, feeds and the "
        "outbound rule read this one.",
    )
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.title


def _document_path(instance, filename: str) -> str:
    # Stored names say nothing: no title, no original file name.
    return f"documents/{uuid.uuid4().hex}"


@quick_displays
class Document(models.Model):
    """A paper attached to a dialogue, a session or an agenda item, stored privately and
    downloaded only through a view that asks the confidentiality module."""

    class Kind(models.TextChoices):
        CONCEPT_NOTE = "concept_note", _("Concept note")
        NON_PAPER = "non_paper", _("Non-paper")
        BACKGROUND_PAPER = "background_paper", _("Background paper")
        OUTCOME_DOCUMENT = "outcome_document", _("Outcome document")
        OTHER = "other", _("Other")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="documents")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    level = models.ForeignKey(ConfidentialityLevel, on_delete=models.PROTECT, related_name="+")
    readers = models.ManyToManyField("participants.Person", blank=True, related_name="+")
    file = models.FileField(storage=private_storage, upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agenda_item__isnull=True) | Q(session__isnull=False),
                name="document_item_within_its_session",
            ),
        ]

    def __str__(self) -> str:
        return self.title


from .briefing import BriefingPack, BriefingPackCopy, Outcome  # noqa: E402
from .changes import OutboundLevelRequest, ScaleChangeRequest  # noqa: E402
from .ideas import FollowUp, Idea  # noqa: E402
from .nonpapers import CaucusComment, NonPaper, NonPaperParagraph, NonPaperVersion  # noqa: E402
from .officials import Official  # noqa: E402
from .reuse import AgendaTemplate, AgendaTemplateItem  # noqa: E402
from .transfer import FunderReport, ObservedChange, Transfer  # noqa: E402

__all__ = [
    "AgendaItem",
    "AgendaTemplate",
    "AgendaTemplateItem",
    "AgendaVersion",
    "BriefingPack",
    "BriefingPackCopy",
    "CaucusComment",
    "ConfidentialityLevel",
    "Dialogue",
    "Document",
    "FollowUp",
    "FunderReport",
    "Idea",
    "NonPaper",
    "NonPaperParagraph",
    "NonPaperVersion",
    "ObservedChange",
    "Official",
    "OutboundLevelRequest",
    "Outcome",
    "PublishedAgendaItem",
    "ScaleChangeRequest",
    "Session",
    "SessionAttendance",
    "Side",
    "Transfer",
]
