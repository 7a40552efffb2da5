"""Sign-in addresses are one per person whatever their case, and the sign-in throttle gets a table to
fall back on while Redis is down."""

from django.core.management import call_command
from django.db import migrations, models
from django.db.models.functions import Lower


def lower_addresses(apps, schema_editor):
    """Stores every address in lower case; two people whose addresses differ only in case stop the
    migration with their addresses, for a person to decide which one is real."""
    User = apps.get_model("accounts", "User")
    clashes = (
        User.objects.annotate(folded=Lower("email"))
        .values("folded")
        .annotate(n=models.Count("pk"))
        .filter(n__gt=1)
        .values_list("folded", flat=True)
    )
    clashing = list(clashes[:20])
    if clashing:
        raise RuntimeError(
            "These e-mail addresses belong to more than one person when case is ignored; merge or correct "
            f"them in the admin before migrating: {', '.join(clashing)}"
        )
    for user in User.objects.exclude(email=Lower("email")).only("pk", "email"):
        User.objects.filter(pk=user.pk).update(email=user.email.lower())


def create_fallback_cache_table(apps, schema_editor):
    call_command("createcachetable", "registry_throttle_fallback", database=schema_editor.connection.alias)


def drop_fallback_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS registry_throttle_fallback")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(lower_addresses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="Someone already signs in with this e-mail address.",
            ),
        ),
        migrations.RunPython(create_fallback_cache_table, drop_fallback_cache_table),
    ]
