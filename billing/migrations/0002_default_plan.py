from django.db import migrations


def create_default_plan(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.get_or_create(
        code="starter",
        defaults={
            "name": "Starter",
            "max_client_orgs": 10,
            "max_staff_seats": 5,
            "storage_bytes": 10 * 1024**3,
            "trial_days": 14,
            "is_default": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_default_plan, migrations.RunPython.noop)]
