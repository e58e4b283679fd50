"""The trail's two middlewares.

``ReadAuditMiddleware`` writes what a response showed (``trackii.audit.reads``): the one place
every read of dialogue content is recorded.

``AuditlogMiddleware`` is django-auditlog's, with the request's facts taken the way the rest of
the trail takes them: auditlog's own middleware believes any ``X-Forwarded-For`` and
``X-Forwarded-Port`` header and stores a client's ``X-Correlation-ID``, all of which a client can
write itself. Ours reads the one header our proxy sets (``TRACKII_CLIENT_IP_META``) or
REMOTE_ADDR, exactly as ``audit_record`` does, and lets no request header into the history."""

from auditlog.cid import set_cid
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware

from . import reads
from .models import AuditEntry
from .services import audit_reads, client_ip


class ReadAuditMiddleware:
    """Opens a ledger for each request; when the view has answered with content, writes an entry
    for each object noted in it (the page's subject, or the objects it lists), with the page's
    name. Placed after the authentication and htmx middlewares, it sees the view's own answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ledger, token = reads.open_ledger()
        try:
            response = self.get_response(request)
        finally:
            reads.close_ledger(token)
        if ledger.reads() and reads.shows_content(response):
            self._write(request, response, ledger)
        return response

    @staticmethod
    def _write(request, response, ledger: reads.Ledger) -> None:
        match = request.resolver_match
        detail = {"page": match.url_name if match is not None else ""}
        if getattr(request, "htmx", False):
            detail["partial"] = True
        detail.update(ledger.viewed_as)  # viewing as a member: who, besides the actor
        downloaded = reads.is_download(response)
        audit_reads(
            reads=ledger.reads(),
            action=AuditEntry.Action.DOWNLOADED if downloaded else AuditEntry.Action.VIEWED,
            request=request,
            actor=ledger.actor_for(request),
            detail=detail,
            once_within=reads.POLL_WINDOW if ledger.polled and not downloaded else None,
        )


class AuditlogMiddleware(_AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None

    def __call__(self, request):
        set_cid(None)
        with set_extra_data(context_data=self.get_extra_data(request)):
            return self.get_response(request)
