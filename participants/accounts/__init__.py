"""Accounts: signing in (django-allauth's adapter: nobody signs up on their own) and the second
factor each place asks for (the MFA middleware). The account model itself is in the core
(``participants.models.User``, ``participants.services.account_create``)."""
