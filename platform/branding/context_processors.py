"""What every template needs to know about whose site it renders: the platform's or a provider's portal."""

from typing import Any

from django.http import HttpRequest

from branding.favicon import version
from portal.access.policy import actor_for

PLATFORM_NAME = "Portico"


def branding(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {
            "tenant": None,
            "site_name": PLATFORM_NAME,
            "base_template": "website/base.html",
            "favicon_version": version(None, PLATFORM_NAME),
        }
    actor = getattr(request, "actor", None) or actor_for(getattr(request, "user", None))
    return {
        "tenant": tenant,
        "site_name": tenant.portal_name,
        "base_template": "portal/base.html",
        "favicon_version": version(tenant.brand_color, tenant.portal_name),  # `?v=` of the favicon:* URLs
        "tenant_status": tenant.subscription.status,
        "may_manage_portal": actor.manages_portal,
    }
