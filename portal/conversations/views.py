from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.access import limits
from portal.access.http import PortalRequest, signed_in
from portal.access.policy import NotFound
from portal.conversations import selectors
from portal.conversations.registry import COMMENTABLE
from portal.conversations.services import CommentError, comment_add

# Shown in the browser only when the content really is one of these images (the browser's claimed type is not
# trusted); everything else is downloaded as an opaque file.
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in IMAGE_SIGNATURES.items() if head.startswith(signature)), None)


@signed_in  # the target's own access check (its registry entry's get_for) decides
@require_POST
@limits.per_person(limits.COMMENTS)
def add(request: PortalRequest, type_code: str, target_id: int) -> HttpResponse:
    me = request.actor
    entry = COMMENTABLE.get(type_code)
    if entry is None:
        raise NotFound
    target = entry.get_for(me, target_id)
    error, status = None, 200
    if limits.limited(request):
        if not selectors.may_comment(me, target):
            raise NotFound
        error, status = limits.message(limits.COMMENTS), 429
    else:
        try:
            comment_add(
                actor=me, target=target, body=request.POST.get("body", ""),
                internal=request.POST.get("internal") == "on", files=request.FILES.getlist("files"),
            )  # fmt: skip
        except CommentError as problem:
            error, status = problem.message, 400
    if request.htmx:
        context = {
            "thread": selectors.comments_for(me, target),
            "target": target,
            "type_code": type_code,
            "error": error,
            "may_comment": selectors.may_comment(me, target),
        }
        return render(request, "portal/conversations/thread.html", context, status=status)
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else "/")


@signed_in  # the target's own access check (its registry entry's get_for) decides
def mentions(request: PortalRequest, type_code: str, target_id: int) -> JsonResponse:
    """The mention picker's suggestions: the people the actor may mention in a comment on this target (an
    internal note's, with `internal=1`) whose name or address matches `q`. Reads only, whatever the method."""
    me = request.actor
    entry = COMMENTABLE.get(type_code)
    if entry is None:
        raise NotFound
    target = entry.get_for(me, target_id)
    if limits.count(request, limits.MENTION_LOOKUPS):
        return JsonResponse({"error": limits.message(limits.MENTION_LOOKUPS)}, status=429)
    query = request.GET.get("q", "")[:100]
    internal = request.GET.get("internal") == "1"
    people = selectors.mention_candidates(me, target, internal=internal, query=query)[: selectors.MENTION_SUGGESTIONS]
    return JsonResponse({"people": [{"name": person.get_full_name(), "email": person.email} for person in people]})


@signed_in
def attachment(request: PortalRequest, attachment_id: int) -> FileResponse:
    found = selectors.attachment_get_for(request.actor, attachment_id)
    stored = found.file.name or ""
    if not stored or not default_storage.exists(stored):
        raise NotFound
    handle = default_storage.open(stored)
    kind = image_type(handle.read(16))
    handle.seek(0)
    response = FileResponse(handle, as_attachment=kind is None, filename=found.name)
    response["Content-Type"] = kind or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
