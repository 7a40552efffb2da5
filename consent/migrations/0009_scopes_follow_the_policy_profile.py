"""Consent scopes follow the policy profile. A scope whose rule already differs from its district's
profile is kept as it is, marked as differing, so its pages show it and nothing changes silently."""

from django.db import migrations, models

from consent.standard import policy_rule

DIFFERED_BEFORE = "Set before scopes followed the policy profile: check it and either follow the profile or say why."


def mark_scopes_that_differ(apps, schema_editor):
    ConsentScope = apps.get_model("consent", "ConsentScope")
    for scope in ConsentScope.objects.exclude(kind="participation").select_related("district"):
        district = scope.district
        values = policy_rule(
            scope.kind, district.photo_model, district.public_arena_exception, district.consent_renewed_each_school_year
        )
        if values and any(getattr(scope, name) != value for name, value in values.items()):
            scope.follows_policy = False
            scope.differs_because = DIFFERED_BEFORE
            scope.save(update_fields=["follows_policy", "differs_because"])


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0008_directory_information_scope'),
    ]

    operations = [
        migrations.AddField(
            model_name='consentscope',
            name='differs_because',
            field=models.CharField(blank=True, db_default='', default='', help_text='The decision that gives this scope another rule, e.g. a Board resolution. Shown with the rule.', max_length=300, verbose_name='why this scope differs from the policy profile'),
        ),
        migrations.AddField(
            model_name='consentscope',
            name='follows_policy',
            field=models.BooleanField(db_default=True, default=True, help_text="On: the permission model, the public-arena exception and yearly renewal are the policy profile's, and change when it changes. Off only where the district deliberately decided otherwise: say why below.", verbose_name='follows the policy profile'),
        ),
        migrations.AddField(
            model_name='historicalconsentscope',
            name='differs_because',
            field=models.CharField(blank=True, db_default='', default='', help_text='The decision that gives this scope another rule, e.g. a Board resolution. Shown with the rule.', max_length=300, verbose_name='why this scope differs from the policy profile'),
        ),
        migrations.AddField(
            model_name='historicalconsentscope',
            name='follows_policy',
            field=models.BooleanField(db_default=True, default=True, help_text="On: the permission model, the public-arena exception and yearly renewal are the policy profile's, and change when it changes. Off only where the district deliberately decided otherwise: say why below.", verbose_name='follows the policy profile'),
        ),
        migrations.RunPython(mark_scopes_that_differ, migrations.RunPython.noop),
    ]
