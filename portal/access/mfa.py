"""allauth's MFA adapter for portals: it needs to know who is staff, so it lives with the access layer (accounts,
below the portal, cannot ask)."""

from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter

from portal.access.policy import actor_for
from tenants.context import current_tenant
from tenants.models import MfaPolicy


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth MFA, named after the portal (authenticator apps and passkeys show the provider's name), and
    unable to remove a person's last second factor where the portal's policy requires one."""

    def _get_site_name(self) -> str:
        tenant = current_tenant(optional=True)
        return str(tenant.portal_name) if tenant is not None else "Portico"

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        from allauth.mfa.models import Authenticator

        tenant = current_tenant(optional=True)
        if tenant is None or tenant.mfa_policy == MfaPolicy.OPTIONAL:
            return True
        if tenant.mfa_policy == MfaPolicy.STAFF and not actor_for(authenticator.user).is_staff:
            return True
        second_factors = Authenticator.objects.filter(
            user=authenticator.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )
        return authenticator.type == Authenticator.Type.RECOVERY_CODES or second_factors.count() > 1
