"""Invitations: the invitee's page (no login: the link, then a code sent to the invited address,
are the credentials). The convening team sends, resends and revokes them from the roster
(``dialogues.workspace.views``), where the confidentiality module decides who may."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from trackii.i18n import adopt

from ..models import Invitation, User
from . import services
from .forms import InvitationCodeForm, InvitationPasswordForm

# The invitations whose code this browser entered: knowing the link alone is not enough to
# answer, even after the invitee confirmed their address elsewhere.
_SESSION_KEY = "trackii_invitations_verified"


def _verified_here(request, invitation: Invitation) -> bool:
    return invitation.verified_at is not None and invitation.pk in request.session.get(
        _SESSION_KEY, []
    )


def _mark_verified(request, invitation: Invitation) -> None:
    verified = request.session.get(_SESSION_KEY, [])
    request.session[_SESSION_KEY] = [*verified, invitation.pk]


def _refused(request, error: ValidationError, status: int = 410):
    return render(
        request, "participants/invitations/refused.html", {"reasons": error.messages}, status=status
    )


def _password_form(invitation: Invitation, data=None) -> InvitationPasswordForm:
    return InvitationPasswordForm(User(email=invitation.email), data)


def _verify(request, invitation: Invitation, code_form: InvitationCodeForm):
    """Check the code typed in: once it is right, back to the page (which then offers the
    answers); None otherwise, the reason on the form."""
    if not code_form.is_valid():
        return None
    try:
        invitation = services.invitation_verify_code(
            invitation=invitation, code=code_form.cleaned_data["code"], request=request
        )
    except ValidationError as error:
        code_form.add_error("code", error)
        return None
    _mark_verified(request, invitation)
    return redirect(request.path)


def _accept_with_password(request, invitation: Invitation, password_form: InvitationPasswordForm):
    """Accept with the password of a new account: signed in, on to the dialogue's ground rules;
    None if refused, the reason on the form."""
    if not password_form.is_valid():
        return None
    try:
        services.invitation_accept(
            invitation=invitation,
            password=password_form.cleaned_data["new_password1"],
            request=request,
        )
    except ValidationError as error:
        password_form.add_error(None, error)
        return None
    account = User.objects.get(email__iexact=invitation.email)
    login(request, account, backend="participants.accounts.backends.ModelBackend")
    messages.success(request, _("Welcome. Your account is ready."))
    return redirect("dialogues:ground_rules", invitation.membership.dialogue_id)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def invitation_page(request, token: str):
    try:
        invitation = services.invitation_open(token=token, request=request)
    except ValidationError as error:
        status = 404 if getattr(error, "code", None) == services.NOT_FOUND_CODE else 410
        return _refused(request, error, status)
    # The page speaks the language the convening team set for the invitee (issue 20).
    adopt(request, invitation.membership.person.language)
    code_form = InvitationCodeForm()
    password_form = _password_form(invitation)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send_code":
                services.invitation_send_code(invitation=invitation, request=request)
                messages.success(request, _("We sent a code to the invited e-mail address."))
                return redirect(request.path)
            if action == "verify":
                code_form = InvitationCodeForm(request.POST)
                verified = _verify(request, invitation, code_form)
                if verified is not None:
                    return verified
            elif action in ("accept", "link", "decline"):
                if not _verified_here(request, invitation):
                    raise ValidationError(_("Confirm your e-mail address with the code first."))
                if action == "decline":
                    services.invitation_decline(invitation=invitation, request=request)
                    return render(request, "participants/invitations/declined.html")
                if action == "link":
                    services.invitation_accept(
                        invitation=invitation, user=request.user, request=request
                    )
                    return redirect("dialogues:ground_rules", invitation.membership.dialogue_id)
                password_form = _password_form(invitation, request.POST)
                accepted = _accept_with_password(request, invitation, password_form)
                if accepted is not None:
                    return accepted
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        status = 400
    verified = _verified_here(request, invitation)
    signed_in = request.user.is_authenticated
    context = {
        "invitation": invitation,
        "cover_name": invitation.membership.dialogue.cover_name,
        "verified": verified,
        "code_sent": invitation.code_sent_at is not None,
        "code_form": code_form,
        "password_form": password_form,
        "signed_in": signed_in,
        "same_account": signed_in and request.user.email.lower() == invitation.email.lower(),
    }
    return render(request, "participants/invitations/page.html", context, status=status)
