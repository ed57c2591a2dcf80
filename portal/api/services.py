"""Writers for API keys: created (the secret returned once, only its hash kept), revoked, and noted when used
(the last use, throttled; the first use from a new address audited). Owners and admins manage keys."""

import datetime
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.policy import Actor, NotFound, client_orgs_for
from portal.activity.services import record
from portal.api.models import API_SCOPES, ApiKey, secret_hash
from portal.clients.models import ClientOrg

PREFIX = "pk_"
KNOWN_ADDRESSES = 100  # the addresses remembered per key (the oldest forgotten: a return from it is audited again)
# The last use is written at most once a minute per key: a write per call would retire every kept page of the
# portal (tenants.generations) for nothing.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(DomainError):
    """A refused key, with a message for the person and the field it concerns."""


@transaction.atomic
@audited("api_key.created")
def api_key_create(
    *, actor: Actor, name: str, scopes: Iterable[str], all_clients: bool, clients: Iterable[ClientOrg],
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiKey, str]:  # fmt: skip
    """A new key and its token (`pk_<prefix>.<secret>`), which is never shown again."""
    if not actor.manages_portal or actor.api_key is not None:
        raise NotFound
    name = name.strip()
    if not name:
        raise ApiKeyError(_("Give the key a name, such as the system that will use it."), field="name")
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= set(API_SCOPES):
        raise ApiKeyError(_("Choose what the key may read or write."), field="scopes")
    orgs = list(clients)
    reached = set(client_orgs_for(actor).values_list("pk", flat=True))
    if not all_clients and (not orgs or any(org.pk not in reached for org in orgs)):
        raise ApiKeyError(_("Choose the clients the key may reach, or every client."), field="clients")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiKeyError(_("The expiry date must be in the future."), field="expires_at")
    prefix = PREFIX + secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, prefix=prefix, secret_hash=secret_hash(secret), scopes=chosen, all_clients=all_clients,
        expires_at=expires_at, created_by=actor.user,
    )  # fmt: skip
    if not all_clients:
        key.clients.set(orgs)
    data = {"name": name, "prefix": prefix, "scopes": chosen, "clients": [org.name for org in orgs] or "all"}
    record(actor=actor, verb="api_key.created", target=key, data=data)
    return key, f"{prefix}.{secret}"


@transaction.atomic
@audited("api_key.revoked")
def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    """Revoked at once: its next call is refused (401)."""
    if not actor.manages_portal or actor.api_key is not None:
        raise NotFound
    if key.revoked_at is not None:
        raise ApiKeyError(_("This key is already revoked."))
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    record(actor=actor, verb="api_key.revoked", target=key, data={"name": key.name, "prefix": key.prefix})
    return key


@not_audited("the key's last use: bookkeeping, throttled; a new address is audited by api_key_new_address")
def api_key_touch(*, key: ApiKey, address: str | None) -> None:
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY and key.last_used_ip == address:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=address)
    key.last_used_at, key.last_used_ip = now, address


@transaction.atomic
@audited("api_key.new_address")
def api_key_new_address(*, key: ApiKey, address: str) -> None:
    """The key's first call from `address`: remembered, and recorded for the audit log (a stolen key shows)."""
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if address not in locked.known_ips:
        locked.known_ips = [*locked.known_ips, address][-KNOWN_ADDRESSES:]
        locked.save(update_fields=["known_ips"])
    key.known_ips = locked.known_ips
    record(actor=Actor(api_key=key), verb="api_key.new_address", target=key, data={"address": address})
