"""Rendered pages kept for the session that asked for them, and reused until the portal's data changes.

`@cached_page` goes under a view's guard, so the guard (the person, their role, the organisation they may open)
is decided on every request, as for any other view (from what was kept of its answer under the same write
generations, `portal.access.http`); only the rendering that follows is reused. A page is kept under everything it
is rendered from:

- the portal's write generation and the public schema's (`tenants.generations`, checked in the same round trip
  to Redis that fetches the page): any committed write to the portal's data (a document, a role, a read
  notification, a sign-in) or to the public rows (branding, billing) retires every page kept before it, so
  nothing is shown after it changed;
- the person and their session (the page's CSRF token belongs to the session's cookie, so a request without a
  valid CSRF cookie is rendered and not kept);
- the full path with its query, the htmx headers (a partial is not the page), the language and the time zone;
- the minute: relative times ("3 min ago") are worded to the minute.

Nothing is reused when the request carries messages to show, when the connection's open transaction has written
(it reads rows no one else can see yet), or when the page is cached off (`PAGE_CACHE_SECONDS = 0`). A render is
kept only when it is a plain 200 HTML page that set no cookie and left the session unchanged.

Only views whose page depends on nothing but the database and the request may wear it (not one that reads
files, Redis counters or the clock beyond the minute); `tests/portal/access/test_pages.py` lists them.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from portal.access.http import PortalRequest
from tenants import generations

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
# Marks the views that wear the decorator (the tests walk the URLconf for them).
ATTRIBUTE = "page_cached"


def minute() -> int:
    """The minute a page is kept for: relative times are worded to the minute."""
    return int(timezone.now().timestamp()) // 60


def page_key(request: PortalRequest) -> str | None:
    """The key the request's page is kept under (its generations aside), or None when it must be rendered and
    not kept."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return None
    csrf_secret = request.META.get("CSRF_COOKIE")
    session_key = request.session.session_key
    if not csrf_secret or not session_key or len(get_messages(request)):
        return None
    htmx = sorted((name.lower(), value) for name, value in request.headers.items() if name.lower().startswith("hx-"))
    parts = [
        str(request.user.pk),
        session_key,
        csrf_secret,
        request.get_full_path(),
        repr(htmx),
        get_language() or "",
        timezone.get_current_timezone_name(),
        str(minute()),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def keepable(request: PortalRequest, response: HttpResponseBase) -> bool:
    return (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and response["Content-Type"].startswith("text/html")
        and not response.cookies
        and not request.session.modified
    )


def varies(response: HttpResponseBase) -> HttpResponseBase:
    """A page and its htmx fragment share a URL (the dashboard's `?client=` is pushed to the history): browsers must
    not answer one with the other from their cache."""
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def cached_page(view: View) -> View:
    """Reuse the session's earlier render of this page while nothing it shows has changed (see the module)."""

    @wraps(view)
    def serve(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = page_key(request)
        lookup = None if key is None else generations.look_up(connection.schema_name, key)  # type: ignore[attr-defined]
        if lookup is None:
            return varies(view(request, *args, **kwargs))
        if lookup.value is not None:
            content_type, content = lookup.value
            get_token(request)  # renews the CSRF cookie, as the render did
            return varies(HttpResponse(content, content_type=content_type))
        response = view(request, *args, **kwargs)
        if keepable(request, response):
            page = cast(HttpResponse, response)
            lookup.keep((page["Content-Type"], page.content), settings.PAGE_CACHE_SECONDS)
        return varies(response)

    setattr(serve, ATTRIBUTE, True)
    return cast(View, serve)
