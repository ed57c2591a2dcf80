"""`purge_tenants`: drop the portals the hourly lifecycle job marked for purge, with the owner's credentials.

Celery runs as the runtime role, which cannot drop a schema; it only marks canceled portals whose retention period
is over (`Subscription.purge_due_at`). This command, run as the owner (a scheduled task in production, a periodic
service in docker compose, a process of `make run`), drops each marked portal after checking its subscription
again under a row lock: a portal that is not canceled, or was canceled less than TENANT_RETENTION_DAYS ago, is
refused and its mark cleared, whatever marked it.
"""

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.utils import timezone

from core.audit import system
from operators.services import PurgeRefused, purge_marked, purge_refusal, purge_unmark, tenant_purge
from tenants.db_roles import use_owner_connection

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Drop the portals marked for purge (schema, files, rows), refusing any not canceled long enough."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be purged or refused; change nothing"
        )
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="keep running, purging every SECONDS (a scheduler's loop)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        use_owner_connection()  # DROP SCHEMA: the owner's credentials, for the whole process
        every = options["every"]
        if every is None:
            self.purge_once(dry_run=options["dry_run"])
            return
        if every < 1:
            raise CommandError("--every takes a number of seconds, at least 1.")
        self.stdout.write(f"Purging marked portals every {every} s (Ctrl-C or SIGTERM stops, after a running purge).")
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.is_set():
            try:
                self.purge_once(dry_run=options["dry_run"], quiet=True)
            except DatabaseError as error:  # the database is restarting, say: try again next round
                logger.exception("purge_tenants: this round failed")
                self.stderr.write(f"This round failed ({error}); trying again in {every} s.")
            connection.close()  # one connection per round, not one held for days
            stop.wait(every)
        self.stdout.write("Stopped.")

    def purge_once(self, *, dry_run: bool, quiet: bool = False) -> tuple[int, int]:
        """One pass over the marked portals. Returns (purged, refused)."""
        marked = purge_marked()
        stamp = f"{timezone.now():%Y-%m-%d %H:%M:%S %Z}"
        if not marked:
            if not quiet:
                self.stdout.write(f"{stamp} No portal is marked for purge.")
            return 0, 0
        days = settings.TENANT_RETENTION_DAYS
        verb = "Would purge" if dry_run else "Purging"
        self.stdout.write(f"{stamp} {verb} {len(marked)} marked portal(s) (retention: {days} days):")
        purged = refused = 0
        for tenant in marked:
            if dry_run:
                reason = purge_refusal(tenant.subscription)
                if reason is None:
                    purged += 1
                    self.stdout.write(f"  would purge  {tenant.slug} (schema {tenant.schema_name})")
                else:
                    refused += 1
                    self.stdout.write(f"  would refuse {tenant.slug}: {reason}")
                continue
            try:
                before = tenant_purge(actor=system(), tenant=tenant)
            except PurgeRefused as refusal:
                purge_unmark(tenant=tenant)
                refused += 1
                logger.warning("purge of %s refused: %s", tenant.schema_name, refusal.reason)
                self.stdout.write(self.style.WARNING(f"  refused  {tenant.slug}: {refusal.reason} (mark cleared)"))
                continue
            purged += 1
            canceled = f"{before.canceled_at:%Y-%m-%d}" if before.canceled_at else "?"
            self.stdout.write(
                self.style.SUCCESS(f"  purged   {tenant.slug}")
                + f" (schema {tenant.schema_name}, canceled {canceled}): schema, files and records deleted"
            )
        done = "would be purged" if dry_run else "purged"
        self.stdout.write(f"{purged} {done}, {refused} refused.")
        return purged, refused
