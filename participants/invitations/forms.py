"""Forms of the invitee's page. The password form is Django's own, so the project's password
validators apply."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code we sent you"),
        min_length=6,
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("The code is six digits."))],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class InvitationPasswordForm(SetPasswordForm):
    """Set the new account's password; ``user`` is the account-to-be (unsaved), so the
    similarity validator can compare with the invited address."""
