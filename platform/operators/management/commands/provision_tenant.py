import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operators.services import TenantError, tenant_provision
from tenants.urls_external import portal_url


class Command(BaseCommand):
    help = "Create a provider's portal (tenant, domain, trial, schema from the template, owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subdomain", help="the portal's subdomain, e.g. acme")
        parser.add_argument("--company", required=True, help="the provider's company name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", required=True)
        parser.add_argument("--brand-color", default=None, help="#RRGGBB")
        parser.add_argument(
            "--password", default=None, help="the owner's password (prompted for when omitted and interactive)"
        )
        parser.add_argument("--no-password", action="store_true", help="create the owner without a usable password")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None and not options["no_password"]:
            password = getpass.getpass("Owner's password: ")
        try:
            tenant = tenant_provision(
                company_name=options["company"],
                subdomain=options["subdomain"],
                owner_name=options["owner_name"],
                owner_email=options["owner_email"],
                owner_password=password,
                brand_color=options["brand_color"],
            )
        except TenantError as error:
            raise CommandError(f"{error.field + ': ' if error.field else ''}{error.message}") from None
        self.stdout.write(self.style.SUCCESS(f"Provisioned {tenant.name} at {portal_url(tenant)}"))
