from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.views import view_recovery_codes
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.services import LoginTokenError, login_token_redeem


@require_GET
def handoff(request: HttpRequest, token: str) -> HttpResponse:
    """Signs in with a single-use link (the hand-off from signup on the root site to the new portal)."""
    try:
        user = login_token_redeem(token=token)
    except LoginTokenError as error:
        return render(request, "account/handoff_invalid.html", {"message": str(error)}, status=400)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    return redirect("dashboard:home")


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """allauth's recovery-code page, which answers a bare 404 until the person has codes: explain instead that
    codes come with an authenticator app or a passkey, and link to setting one up (or to generating codes, for
    someone who has a second factor but no codes)."""
    kinds = set(Authenticator.objects.filter(user_id=request.user.pk).values_list("type", flat=True))
    if Authenticator.Type.RECOVERY_CODES in kinds:
        return view_recovery_codes(request)
    has_second_factor = bool(kinds & {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN})
    return render(request, "mfa/recovery_codes/unavailable.html", {"has_second_factor": has_second_factor})
