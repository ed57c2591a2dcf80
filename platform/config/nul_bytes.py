"""NUL bytes in a request's input are refused here, once, for every view.

PostgreSQL text cannot hold a NUL, and psycopg raises as soon as one reaches a query (a search box, a lookup by
name, a form saved as is, a session cookie looked up), which would be a 500. No person types one, and no form
field, query string, path or cookie legitimately holds one, so the request is answered 400 before any view (or
the session middleware) sees it. Uploaded files are left alone: their contents are not text input, and Django's
multipart parser already drops unprintable characters from their names.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError

NUL = "\x00"


def _holds_nul(pairs: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def has_nul_bytes(request: HttpRequest) -> bool:
    """Whether the path, the query string, a cookie or a form field holds a NUL. Reads a form body as the view
    would (Django parses it once and keeps it); other bodies (JSON, raw upload chunks) are not read here."""
    if NUL in request.path_info or _holds_nul(request.GET.lists()):
        return True
    if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
        return True
    return request.method == "POST" and _holds_nul(request.POST.lists())


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = has_nul_bytes(request)
        except MultiPartParserError:  # the view would fail on the same body: refuse it here, as a bad request
            return HttpResponseBadRequest("This request's form data does not parse.\n", content_type="text/plain")
        if refused:
            return HttpResponseBadRequest(
                "This request contains a NUL character, which no form field accepts.\n", content_type="text/plain"
            )
        return self.get_response(request)
