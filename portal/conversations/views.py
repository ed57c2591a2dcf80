from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.access.policy import NotFound
from portal.clients.views import actor
from portal.conversations import selectors
from portal.conversations.registry import COMMENTABLE
from portal.conversations.services import CommentError, comment_add

# Types a browser may show itself; anything else is downloaded.
INLINE = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}


@login_required
@require_POST
def add(request: HttpRequest, type_code: str, target_id: int) -> HttpResponse:
    me = actor(request)
    entry = COMMENTABLE.get(type_code)
    if entry is None:
        raise NotFound
    target = entry.get_for(me, target_id)
    error = None
    try:
        comment_add(
            actor=me, target=target, body=request.POST.get("body", ""), internal=request.POST.get("internal") == "on",
            files=request.FILES.getlist("files"),
        )  # fmt: skip
    except CommentError as problem:
        error = problem.message
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "thread": selectors.comments_for(me, target),
            "target": target,
            "type_code": type_code,
            "error": error,
        }
        return render(request, "portal/conversations/thread.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(request.POST.get("next") or "/")


@login_required
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    found = selectors.attachment_get_for(actor(request), attachment_id)
    stored = found.file.name or ""
    if not stored or not default_storage.exists(stored):
        raise NotFound
    inline = found.content_type in INLINE
    response = FileResponse(default_storage.open(stored), as_attachment=not inline, filename=found.name)
    response["Content-Type"] = found.content_type if inline else "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
