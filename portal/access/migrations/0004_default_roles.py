from django.db import migrations

DEFAULT_ROLES = [
    ("client-admin", "Client admin"),
    ("finance", "Finance"),
    ("project-lead", "Project lead"),
    ("viewer", "Viewer"),
]


def create_default_roles(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    for slug, name in DEFAULT_ROLES:
        Role.objects.get_or_create(slug=slug, defaults={"name": name, "is_default": True})


class Migration(migrations.Migration):
    dependencies = [("access", "0003_invitation_client_org_invitation_invited_by_and_more")]

    operations = [migrations.RunPython(create_default_roles, migrations.RunPython.noop)]
