"""Destructive actions ask first.

A view that deletes, archives, deactivates, revokes or ends something wears `@destructive(question)` under its
guard. It acts only on a POST that carries `confirmed=1`, which the `<c-confirm>` component's dialog sends; any
other request (a GET, a POST from a page without JavaScript, a forged form) gets a confirmation page that posts
the same fields back with `confirmed=1`. `tests/portal/access/test_confirmation.py` walks both URLconfs and proves
every marked view asks before acting."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

from portal.access.http import View

DESTRUCTIVE_ATTRIBUTE = "destructive_question"
CONFIRMED = "confirmed"


def _back(request: HttpRequest) -> str:
    """Where "Cancel" leads: the page the person came from, when it is on this host."""
    referer = request.headers.get("referer", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    return referer if referer and safe else "/"


def is_destructive(view: Callable[..., Any]) -> bool:
    return getattr(view, DESTRUCTIVE_ATTRIBUTE, None) is not None


def destructive(
    question: str | Promise, *, consequence: str | Promise = "", label: str | Promise = ""
) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def ask_first(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and request.POST.get(CONFIRMED) == "1":
                return view(request, *args, **kwargs)  # type: ignore[return-value]
            fields = [
                (name, value)
                for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", CONFIRMED)
                for value in values
            ]
            context = {
                "question": question,
                "consequence": consequence,
                "label": label or question,
                "fields": fields,
                "back": _back(request),
            }
            return render(request, "portal/confirm.html", context)

        setattr(ask_first, DESTRUCTIVE_ATTRIBUTE, question)
        return ask_first  # type: ignore[return-value]

    return decorate
