"""The per-sign-in session record is gone: `accounts.UserSession` rows carry their user on every save."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_comments_create_for_custom_roles"),
    ]

    operations = [
        migrations.DeleteModel(
            name="UserSession",
        ),
    ]
