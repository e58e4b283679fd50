"""django-auditlog's middleware, with the request's facts taken the way the rest of the trail
takes them.

auditlog's own middleware believes any ``X-Forwarded-For`` and ``X-Forwarded-Port`` header and
stores a client's ``X-Correlation-ID``, all of which a client can write itself. Ours reads the
one header our proxy sets (``TRACKII_CLIENT_IP_META``) or REMOTE_ADDR, exactly as
``audit_record`` does, and lets no request header into the history."""

from auditlog.cid import set_cid
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware

from .services import client_ip


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
