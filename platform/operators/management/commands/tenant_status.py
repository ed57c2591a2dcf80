from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.audit import system
from operators.services import TenantError, tenant_change_status
from tenants.lifecycle import ALLOWED_TRANSITIONS, TenantStatus
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Show a portal's lifecycle state, or change it (operators; offline billing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subdomain")
        parser.add_argument("--set", dest="status", choices=TenantStatus.values, help="the new state")
        parser.add_argument("--reason", default="", help="why (kept with the state)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.select_related("subscription__plan").filter(slug=options["subdomain"].lower()).first()
        if tenant is None:
            raise CommandError(f"No portal has the subdomain {options['subdomain']!r}.")
        if options["status"]:
            try:
                tenant_change_status(actor=system(), tenant=tenant, status=options["status"], reason=options["reason"])
            except TenantError as error:
                raise CommandError(error.message) from None
            tenant.subscription.refresh_from_db()
        subscription = tenant.subscription
        self.stdout.write(
            f"{tenant.slug}: {subscription.status} since {subscription.status_changed_at:%Y-%m-%d %H:%M %Z}"
        )
        self.stdout.write(f"  plan: {subscription.plan}")
        if subscription.trial_ends_at:
            self.stdout.write(f"  trial ends: {subscription.trial_ends_at:%Y-%m-%d %H:%M %Z}")
        if subscription.status_reason:
            self.stdout.write(f"  reason: {subscription.status_reason}")
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[TenantStatus(subscription.status)]))
        self.stdout.write(f"  may become: {allowed}")
