from typing import Any

from django.core.management.base import BaseCommand

from operators.demo import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_STAFF, demo_host, seed_demo
from tenants.db_roles import use_owner_connection


class Command(BaseCommand):
    help = "Create or refresh the demo provider (Northwind Consulting) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        use_owner_connection()  # the demo's history is dated in the past: only the owner may write that
        tenant = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo provider {tenant.name!r} ready on {demo_host()}"))
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_STAFF:
            self.stdout.write(f"    {login.email:<36} {login.full_name} (staff {login.role.label.lower()})")
        for client in DEMO_CLIENTS:
            for person in client.contacts:
                self.stdout.write(f"    {person.email:<36} {person.full_name} ({person.role} at {client.name})")
