"""The rating link of the resolution e-mail: signed, for one request and its requester in this portal, usable
without signing in. Opening it (GET) only shows the question, so a mail scanner that follows links uses nothing up;
the answer is the POST, and a request takes one rating, so the link works once."""

from typing import Any

from django.core import signing
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _

from tenants.urls_external import portal_url

SALT = "portico.request-rating"
MAX_AGE = 60 * 60 * 24 * 30  # a month: after that the portal still asks, signed in


def token_for(request_id: int, user_id: int) -> str:
    tenant = connection.tenant  # type: ignore[attr-defined]
    return signing.dumps({"p": tenant.pk, "r": request_id, "u": user_id}, salt=SALT)


def read_token(token: str) -> tuple[int, int]:
    """(request id, user id); raises `signing.BadSignature` for a tampered, expired or foreign link."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if data.get("p") != getattr(connection.tenant, "pk", None):  # type: ignore[attr-defined]
        raise signing.BadSignature("link of another portal")
    return int(data["r"]), int(data["u"])


def rating_action(user: Any, event: Any) -> tuple[str, str] | None:
    """The resolution e-mail's question, for the requester of a request not yet rated."""
    from portal.requests.models import ClientRequest, Rating

    if event.data.get("to") != "resolved":
        return None
    request = ClientRequest.objects.filter(pk=event.target_id, requester=user).first()
    if request is None or Rating.objects.filter(request=request).exists():
        return None
    url = portal_url(connection.tenant, reverse("requests:rate_link", args=[token_for(request.pk, user.pk)]))  # type: ignore[attr-defined]
    return url, _("How did we do? Rate this request")
