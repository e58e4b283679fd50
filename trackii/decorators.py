"""Access decorators shared by the apps."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def staff_only(view):
    """For staff (the organisation's admins) only: anyone else signed in is answered 404, as if
    the page did not exist; anyone signed out is sent to sign in."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
