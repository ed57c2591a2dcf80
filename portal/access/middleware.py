"""Per-request authorization state, and the tenant's two-factor policy."""

from collections.abc import Callable
from typing import Any, cast

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal.access.http import PortalRequest
from portal.access.policy import Actor, actor_for
from tenants.models import MfaPolicy

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


class ActorMiddleware:
    """`request.actor`: who is acting, for `portal.access.policy` (computed on first use)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cast(PortalRequest, request).actor = cast(Actor, SimpleLazyObject(lambda: actor_for(request.user)))
        return self.get_response(request)


class MfaPolicyMiddleware:
    """Where the tenant requires two-factor authentication, a person without a second factor can only enrol
    one (allauth's pages under /accounts/) until they have."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.mfa_policy != MfaPolicy.OPTIONAL
            and request.user.is_authenticated
            and not request.path.startswith("/accounts/")
            and self.policy_applies(request, tenant.mfa_policy)
            and not Authenticator.objects.filter(user=request.user, type__in=SECOND_FACTORS).exists()
        ):
            messages.warning(request, _("This portal requires two-factor authentication: set it up to continue."))
            return redirect("mfa_index")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        """allauth asks the MFA adapter before removing a TOTP authenticator, not before removing a passkey:
        refuse that here when it is the person's last second factor under the portal's policy."""
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name != "mfa_remove_webauthn":
            return None
        authenticator = Authenticator.objects.filter(
            pk=kwargs.get("pk"), user_id=request.user.pk, type=Authenticator.Type.WEBAUTHN
        ).first()
        if authenticator is not None and not get_mfa_adapter().can_delete_authenticator(authenticator):
            messages.error(request, _("This portal requires two-factor authentication: add another one first."))
            return redirect("mfa_list_webauthn")
        return None

    @staticmethod
    def policy_applies(request: HttpRequest, policy: str) -> bool:
        return policy == MfaPolicy.EVERYONE or cast(PortalRequest, request).actor.is_staff
