"""`comments.create` joined the capability registry: every custom role made before it keeps commenting (default
roles take their capabilities from the registry)."""

from django.db import migrations

CODE = "comments.create"


def grant(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    for role in Role.objects.filter(is_default=False):
        if CODE not in role.custom_capabilities:
            role.custom_capabilities = sorted([*role.custom_capabilities, CODE])
            role.save(update_fields=["custom_capabilities"])


def revoke(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    for role in Role.objects.filter(is_default=False):
        role.custom_capabilities = [code for code in role.custom_capabilities if code != CODE]
        role.save(update_fields=["custom_capabilities"])


class Migration(migrations.Migration):
    dependencies = [("access", "0004_default_roles")]

    operations = [migrations.RunPython(grant, revoke)]
