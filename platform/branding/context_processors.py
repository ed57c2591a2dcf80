"""What every template needs to know about whose site it renders: the platform's or a provider's portal."""

from typing import Any

from django.http import HttpRequest

PLATFORM_NAME = "Portico"


def branding(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    return {
        "tenant": tenant,
        "site_name": tenant.name if tenant else PLATFORM_NAME,
        "base_template": "portal/base.html" if tenant else "website/base.html",
    }
