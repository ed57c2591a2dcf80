"""API keys join the visible targets (the portal's own business: owners and admins) and the audit-only events:
created, revoked, first used from a new address."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.access.visibility import Visibility, register
from portal.activity import events
from portal.api.models import ApiKey

register(ApiKey, visibility=lambda key: Visibility(None), page=lambda pk, org_id: reverse("api_keys:list"))

KEY_CREATED = events.register("api_key.created", label=_("API keys created"), staff_only=True, audit_only=True)
KEY_REVOKED = events.register("api_key.revoked", label=_("API keys revoked"), staff_only=True, audit_only=True)
KEY_NEW_ADDRESS = events.register(
    "api_key.new_address", label=_("API keys used from a new address"), staff_only=True, audit_only=True
)
