"""Collecting consent again each school year became a policy choice (accounts 0009), off by default.
A district whose standard scopes already renew keeps renewing: its profile says so, and its director
can turn it off there. Nothing a district relies on changes silently."""

from django.db import migrations


def profile_follows_scopes(apps, schema_editor):
    District = apps.get_model("accounts", "District")
    ConsentScope = apps.get_model("consent", "ConsentScope")
    renewing = ConsentScope.objects.filter(kind="social_media", renewed_each_school_year=True).values("district_id")
    District.objects.filter(pk__in=renewing).update(consent_renewed_each_school_year=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_policy_holes_consent_side"),
        ("consent", "0006_participation_scope_belongs_to_its_authorization"),
    ]

    operations = [migrations.RunPython(profile_follows_scopes, migrations.RunPython.noop)]
