"""A participation scope no longer names its authorization: the authorization names its scope
(authorizations 0002 copied the link), so consent sits below authorizations."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0002_participation_scope"),
        ("consent", "0005_privacy_log_kinds"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="consentscope",
            name="consent_scope_participation_has_authorization",
        ),
        migrations.RemoveField(model_name="consentscope", name="instructional_use"),
        migrations.RemoveField(model_name="historicalconsentscope", name="instructional_use"),
        migrations.AddConstraint(
            model_name="consentscope",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "participation"), _negated=True),
                    models.Q(
                        ("model", "written_consent"), ("public_arena_exception", False), ("renewed_each_school_year", False)
                    ),
                    _connector="OR",
                ),
                name="consent_scope_participation_is_written_consent",
            ),
        ),
    ]
