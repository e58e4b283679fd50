"""django-allauth adapter: nobody opens an account on their own. Accounts come from invitations
(a later issue) or from admins."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False
