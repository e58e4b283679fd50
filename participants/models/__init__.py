"""Accounts, persons and memberships. Thin models: writes go through ``participants.services``."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


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
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="Your own time zone: agenda times are also shown in it when it differs from "
        "the venue's.",
    )
    calendar_secret = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The secret in the personal calendar feed's address; regenerating it ends the "
        "old address.",
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
        SERVING_OFFICIAL = "serving_official", "Serving official (personal capacity)"
        FORMER_OFFICIAL = "former_official", "Former official"
        MILITARY = "military", "Military or security (serving or retired)"
        LEGISLATOR = "legislator", "Legislator or party figure"
        ADVISER = "adviser", "Adviser to decision-makers"
        ACADEMIC = "academic", "Academic or think tank"
        CIVIL_SOCIETY = "civil_society", "Civil society"
        RELIGIOUS = "religious", "Religious or traditional leader"
        BUSINESS = "business", "Business"
        JOURNALIST = "journalist", "Journalist"
        OTHER = "other", "Other"

    class Gender(models.TextChoices):
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NON_BINARY = "non_binary", "Non-binary"
        UNDISCLOSED = "undisclosed", "Not disclosed"

    full_name = models.CharField(max_length=200)
    family_name = models.CharField(
        max_length=100, blank=True, help_text="The family name, for sorting and for screening."
    )
    name_original_script = models.CharField(
        max_length=200, blank=True, help_text="The name in its own script (Arabic, Cyrillic, ...)."
    )
    other_names = models.TextField(
        blank=True, help_text="Other spellings and names this person is known by, one per line."
    )
    affiliation = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True)
    proximity = models.CharField(
        "proximity to power", max_length=30, choices=Proximity.choices, default=Proximity.OTHER
    )
    nationality = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 country code."
    )
    date_of_birth = models.DateField(
        null=True, blank=True, help_text="For screening against designation lists."
    )
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.UNDISCLOSED)
    languages = models.CharField(max_length=200, blank=True)
    # The language Trackii writes to this person in (pages, e-mails, PDFs, feeds): one of
    # settings.LANGUAGES, or "" for the browser's (trackii.i18n). No choices here, so that adding
    # a language needs no migration; forms offer settings.LANGUAGES.
    language = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
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


class Membership(models.Model):
    """A person's place in one dialogue. ``state`` is the one field that records their path in;
    it is changed only through ``participants.services`` (and, later, vetting and invitations)."""

    class Role(models.TextChoices):
        CONVENOR = "convenor", "Convenor"
        FACILITATOR = "facilitator", "Facilitator"
        RAPPORTEUR = "rapporteur", "Rapporteur"
        PARTICIPANT = "participant", "Participant"
        OBSERVER = "observer", "Observer"
        OFFICIAL_LIAISON = "official_liaison", "Official liaison"

    class State(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        CLEARED = "cleared", "Cleared"
        REJECTED = "rejected", "Rejected"
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

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
