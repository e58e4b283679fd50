"""Authentication backends: Django's and allauth's, loading the signed-in account together with
its person (one query, as before), because every page names the reader in its top bar
(``{{ user|name }}``: the account's display name, else its person's full name)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from ..models import User


class _AccountWithPerson:
    def get_user(self, user_id):
        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_AccountWithPerson, DjangoModelBackend):
    """Django's backend (passwords, permissions)."""


class AuthenticationBackend(_AccountWithPerson, AllauthBackend):
    """allauth's backend (sign-in by e-mail address)."""
