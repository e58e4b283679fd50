"""Accounts, persons and memberships. Thin models: writes go through ``participants.services``."""

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _gettext_lazy
from django.utils.translation import pgettext_lazy as _pgettext_lazy

from trackii.choices import quick_displays

# Marked here, translated when shown: typed as the str each becomes then, so that code reading
# the choices' labels (a roster's composition, a filter's options) takes them as text.
_ = cast("Callable[[str], str]", _gettext_lazy)
pgettext_lazy = cast("Callable[[str, str], str]", _pgettext_lazy)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An account needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account. The e-mail address is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("E-mail address"), unique=True)
    display_name = models.CharField(_("Display name"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("Time zone"),
        max_length=64,
        blank=True,
        help_text=_(
            "Your own time zone: agenda times are also shown in it when it differs from "
            "the venue's."
        ),
    )
    calendar_secret = models.CharField(
        _("Calendar secret"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "The secret in the personal calendar feed's address; regenerating it ends the "
            "old address."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


class Person(models.Model):
    """Someone who takes part, or may take part, in dialogues. Most fields are sensitive and shown
    to the convening team only."""

    class Proximity(models.TextChoices):
        SERVING_OFFICIAL = "serving_official", _("Serving official (personal capacity)")
        FORMER_OFFICIAL = "former_official", _("Former official")
        MILITARY = "military", _("Military or security (serving or retired)")
        LEGISLATOR = "legislator", _("Legislator or party figure")
        ADVISER = "adviser", _("Adviser to decision-makers")
        ACADEMIC = "academic", _("Academic or think tank")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        RELIGIOUS = "religious", _("Religious or traditional leader")
        BUSINESS = "business", _("Business")
        JOURNALIST = "journalist", _("Journalist")
        OTHER = "other", pgettext_lazy("proximity to power", "Other")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary")
        UNDISCLOSED = "undisclosed", _("Not disclosed")

    full_name = models.CharField(_("Full name"), max_length=200)
    family_name = models.CharField(
        _("Family name"),
        max_length=100,
        blank=True,
        help_text=_("The family name, for sorting and for screening."),
    )
    name_original_script = models.CharField(
        _("Name in its own script"),
        max_length=200,
        blank=True,
        help_text=_("The name in its own script (Arabic, Cyrillic, ...)."),
    )
    other_names = models.TextField(
        _("Other names"),
        blank=True,
        help_text=_("Other spellings and names this person is known by, one per line."),
    )
    affiliation = models.CharField(_("Affiliation"), max_length=200, blank=True)
    position = models.CharField(_("Position"), max_length=200, blank=True)
    proximity = models.CharField(
        _("Proximity to power"), max_length=30, choices=Proximity.choices, default=Proximity.OTHER
    )
    nationality = models.CharField(
        _("Nationality"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 country code."),
    )
    date_of_birth = models.DateField(
        _("Date of birth"),
        null=True,
        blank=True,
        help_text=_("For screening against designation lists."),
    )
    gender = models.CharField(
        _("Gender"), max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    languages = models.CharField(_("Languages"), max_length=200, blank=True)
    # The language Trackii writes to this person in (pages, e-mails, PDFs, feeds): one of
    # settings.LANGUAGES, or "" for the browser's (trackii.i18n). No choices here, so that adding
    # a language needs no migration; forms offer settings.LANGUAGES.
    language = models.CharField(_("Language for Trackii's messages"), max_length=10, blank=True)
    email = models.EmailField(_("E-mail address"), blank=True)
    phone = models.CharField(_("Phone"), max_length=50, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "full_name", "id"]

    def __str__(self) -> str:
        return self.full_name


@quick_displays
class Membership(models.Model):
    """A person's place in one dialogue. ``state`` is the one field that records their path in;
    it is changed only through ``participants.services`` (and, later, vetting and invitations)."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", _("Convenor")
        FACILITATOR = "facilitator", _("Facilitator")
        RAPPORTEUR = "rapporteur", _("Rapporteur")
        PARTICIPANT = "participant", _("Participant")
        OBSERVER = "observer", _("Observer")
        OFFICIAL_LIAISON = "official_liaison", _("Official liaison")

    class State(models.TextChoices):
        NOMINATED = "nominated", pgettext_lazy("membership state", "Nominated")
        CLEARED = "cleared", pgettext_lazy("membership state", "Cleared")
        REJECTED = "rejected", pgettext_lazy("membership state", "Rejected")
        INVITED = "invited", pgettext_lazy("membership state", "Invited")
        ACCEPTED = "accepted", pgettext_lazy("membership state", "Accepted")
        DECLINED = "declined", pgettext_lazy("membership state", "Declined")

    CONVENING_ROLES = (Role.CONVENOR, Role.FACILITATOR)
    # Who writes a session's notes and outcomes (the attributed record is theirs to keep).
    RECORDING_ROLES = (Role.CONVENOR, Role.FACILITATOR, Role.RAPPORTEUR)

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="memberships"
    )
    side = models.ForeignKey(
        "dialogues.Side",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    clearance = models.ForeignKey(
        "dialogues.ConfidentialityLevel", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.NOMINATED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dialogue_id", "role", "person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "dialogue"], name="membership_once_per_dialogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in dialogue {self.dialogue_id} ({self.get_role_display()})"

    @property
    def is_convening(self) -> bool:
        return self.role in self.CONVENING_ROLES


class GroundRulesAcceptance(models.Model):
    """A member's acceptance of one version of a dialogue's ground rules (e.g. the Chatham House
    undertaking), with the exact text's digest and the time."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="ground_rules_acceptances"
    )
    version = models.PositiveIntegerField()
    # The text signed: its language (issue 20; "" before languages existed, the main one) and
    # the digest of exactly the words shown.
    language = models.CharField(max_length=10, blank=True)
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "version"], name="ground_rules_accepted_once"
            ),
        ]

    def __str__(self) -> str:
        return f"membership {self.membership_id} accepted version {self.version}"


from .designations import (  # noqa: E402
    DesignationAlias,
    DesignationEntry,
    DesignationList,
    DesignationListVersion,
)
from .invitations import Invitation  # noqa: E402
from .vetting import MatchDismissal, PossibleMatch, VettingCase  # noqa: E402

__all__ = [
    "DesignationAlias",
    "DesignationEntry",
    "DesignationList",
    "DesignationListVersion",
    "GroundRulesAcceptance",
    "Invitation",
    "MatchDismissal",
    "Membership",
    "Person",
    "PossibleMatch",
    "User",
    "UserManager",
    "VettingCase",
]
