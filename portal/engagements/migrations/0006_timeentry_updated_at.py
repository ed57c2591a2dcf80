"""Time entries get `updated_at` (the API pages and syncs them by it); existing entries take their creation time."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def from_created_at(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("engagements", "TimeEntry").objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0005_engagementsettings_deliverable_reminded_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="timeentry",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(from_created_at, migrations.RunPython.noop),
    ]
