"""django-allauth adapter: nobody opens an account on their own. Accounts come from invitations
(a later issue) or from admins.

What allauth e-mails (the one-time sign-in code, a password reset) is written in the language of
the person whose account or address it is, when they have chosen one (docs/i18n.md); otherwise
in the language of the page that asked for it."""

from contextlib import nullcontext

from allauth.account.adapter import DefaultAccountAdapter

from trackii.i18n import in_language_of, supported

from ..models import Person, User


def _person_for(email: str, context: dict) -> Person | None:
    """The person the e-mail is for: the account's (allauth passes it as ``user`` where it has
    one), else the account's with that address, else the one person with that address."""
    user = context.get("user")
    if not isinstance(user, User):
        user = User.objects.filter(email__iexact=email).select_related("person").first()
    if user is not None:
        return getattr(user, "person", None)
    persons = list(Person.objects.filter(email__iexact=email)[:2])
    return persons[0] if len(persons) == 1 else None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        person = _person_for(email, context) if email else None
        chosen = person is not None and supported(person.language)
        with in_language_of(person) if chosen else nullcontext():
            super().send_mail(template_prefix, email, context)
