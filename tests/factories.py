"""Factories for test data: one row each, every field given a default. Levels come from the data
migration: use ``level(name)``. Worlds of many rows are built with the blocks of ``tests.world``
(a member with an account, sessions with attendees, papers, packs...)."""

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
