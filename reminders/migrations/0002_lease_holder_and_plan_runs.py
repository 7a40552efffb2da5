import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_reminder_log"),
    ]

    operations = [
        migrations.RenameField(model_name="reminder", old_name="sending_until", new_name="lease_until"),
        migrations.AlterField(
            model_name="reminder",
            name="lease_until",
            field=models.DateTimeField(blank=True, help_text="The queue or sender holding the row, until.", null=True),
        ),
        migrations.AddField(
            model_name="reminder",
            name="lease_holder",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("status__in", ["waiting", "sending"])),
                fields=["lease_until"],
                name="reminder_unfinished_lease",
            ),
        ),
        migrations.CreateModel(
            name="PlanRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(unique=True)),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("added", models.PositiveIntegerField(default=0)),
            ],
            options={"ordering": ["-day"]},
        ),
    ]
