"""Factories for test data. Levels come from the data migration: use ``level(name)``."""

from datetime import UTC, datetime, timedelta

import factory

from dialogues.models import AgendaItem, ConfidentialityLevel, Dialogue, Outcome, Session, Side
from participants.models import Membership, Person, User


def level(name: str) -> ConfidentialityLevel:
    return ConfidentialityLevel.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")


class DialogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dialogue

    title = factory.Sequence(lambda n: f"Dialogue {n}")
    default_level = factory.LazyFunction(lambda: level("Programme"))


class SideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Side

    dialogue = factory.SubFactory(DialogueFactory)
    name = factory.Sequence(lambda n: f"Side {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    dialogue = factory.SubFactory(DialogueFactory)
    role = Membership.Role.PARTICIPANT
    clearance = factory.LazyFunction(lambda: level("Participants"))
    state = Membership.State.ACCEPTED


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    dialogue = factory.SubFactory(DialogueFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    venue = factory.Sequence(lambda n: f"Venue {n}")
    city = "Valdera"
    time_zone = "Europe/Rome"
    start = factory.LazyFunction(lambda: datetime(2027, 3, 15, 8, tzinfo=UTC))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=2))
    status = Session.Status.PUBLISHED
    level = factory.LazyFunction(lambda: level("Programme"))

    @factory.post_generation
    def readers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.readers.set(extracted)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    description = "Discussion."
    level = factory.LazyFunction(lambda: level("Programme"))

    @factory.post_generation
    def readers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.readers.set(extracted)


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    session = factory.SubFactory(SessionFactory)
    kind = Outcome.Kind.IDEA
    attribution = Outcome.Attribution.CHATHAM_HOUSE
    summary = factory.Sequence(lambda n: f"Outcome {n}")
    level = factory.LazyFunction(lambda: level("Public"))
    position = factory.Sequence(lambda n: n)


def member_with_account(
    *,
    dialogue,
    role=Membership.Role.PARTICIPANT,
    clearance="Participants",
    side=None,
    state=Membership.State.ACCEPTED,
    email=None,
) -> Membership:
    """A member who can sign in."""
    user = UserFactory(**({"email": email} if email else {}))
    person = PersonFactory(user=user, email=user.email)
    return MembershipFactory(
        person=person,
        dialogue=dialogue,
        role=role,
        clearance=level(clearance),
        side=side,
        state=state,
    )


def designation_entry(
    *,
    list_name="Test list",
    reference,
    name,
    aliases=(),
    birth_years=(),
    nationalities=(),
    script="",
    remarks="",
):
    """An entry in the current version of a list (created if needed), as an import leaves it."""
    import hashlib
    import json

    from participants.models import (
        DesignationAlias,
        DesignationEntry,
        DesignationList,
        DesignationListVersion,
    )

    designation_list, _ = DesignationList.objects.get_or_create(
        name=list_name, defaults={"format": DesignationList.Format.CSV}
    )
    version = designation_list.current_version
    if version is None:
        version = DesignationListVersion.objects.create(
            designation_list=designation_list, number=1, source_names="test.csv", sha256="0" * 64
        )
        designation_list.current_version = version
        designation_list.save(update_fields=["current_version"])
    content = [name, script, list(aliases), list(birth_years), list(nationalities)]
    entry = DesignationEntry.objects.create(
        version=version,
        reference=reference,
        name=name,
        name_original_script=script,
        birth_dates=[{"year_from": y, "year_to": y, "date": ""} for y in birth_years],
        nationalities=list(nationalities),
        remarks=remarks,
        fingerprint=hashlib.sha256(json.dumps(content).encode()).hexdigest(),
    )
    for alias in aliases:
        DesignationAlias.objects.create(entry=entry, name=alias)
    return entry
