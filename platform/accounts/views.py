from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.services import LoginTokenError, login_token_redeem


@require_GET
def handoff(request: HttpRequest, token: str) -> HttpResponse:
    """Signs in with a single-use link (the hand-off from signup on the root site to the new portal)."""
    try:
        user = login_token_redeem(token=token)
    except LoginTokenError as error:
        return render(request, "account/handoff_invalid.html", {"message": str(error)}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("dashboard:home")
