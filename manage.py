#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    from config.observability import init_sentry_from_settings

    init_sentry_from_settings()  # commands run by schedules (purge_tenants) report their errors too
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
