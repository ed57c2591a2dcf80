"""Writers for client organisations: create, change, archive and restore. Each checks with `portal.access`
before it writes and records its event."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audited, record
from portal.access.models import StaffMembership
from portal.access.policy import Actor, NotFound, may, may_create_clients
from portal.access.services import AccessError
from portal.clients.models import ClientOrg


@transaction.atomic
@audited("client.created", "client.updated")
def client_org_save(
    *, actor: Actor, org: ClientOrg | None, name: str, account_manager: User, team: list[User], notes: str,
    external_id: str | None = None,
) -> ClientOrg:  # fmt: skip
    """Create or change an organisation; `external_id` (the provider's own id, from the API) is set when given."""
    if org is None and not may_create_clients(actor):
        raise NotFound
    if org is not None and not may(actor, "organisation.view", org):
        raise NotFound
    if not StaffMembership.objects.filter(user=account_manager, user__is_active=True).exists():
        raise AccessError(_("The account manager must be an active member of staff."), field="account_manager")
    created = org is None
    org = org or ClientOrg()
    org.name = name.strip()
    org.account_manager = account_manager
    org.notes = notes
    if external_id is not None:
        taken = ClientOrg.objects.filter(external_id=external_id).exclude(pk=org.pk).exists()
        if taken:
            raise AccessError(_("Another client already has this external id."), field="external_id")
        org.external_id = external_id
    org.full_clean(exclude=["team"])
    org.save()
    org.team.set([user for user in team if user != account_manager])
    record(actor=actor, verb="client.created" if created else "client.updated", target=org)
    return org


@transaction.atomic
@audited("client.archived", "client.restored")
def client_org_archive(*, actor: Actor, org: ClientOrg, archived: bool = True) -> ClientOrg:
    """Archive (its contacts lose access, nothing is deleted) or restore an organisation."""
    if not actor.manages_portal:
        raise NotFound
    org.archived_at = timezone.now() if archived else None
    org.save(update_fields=["archived_at"])
    record(actor=actor, verb="client.archived" if archived else "client.restored", target=org)
    return org
