"""Which consent form an authorization opened was kept on the consent scope (instructional_use); it is
the authorization's now (participation_scope), so consent no longer points up at authorizations."""

import django.db.models.deletion
from django.db import migrations, models


def copy_from_scopes(apps, schema_editor):
    Authorization = apps.get_model("authorizations", "Authorization")
    HistoricalAuthorization = apps.get_model("authorizations", "HistoricalAuthorization")
    ConsentScope = apps.get_model("consent", "ConsentScope")
    links = ConsentScope.objects.filter(instructional_use__isnull=False).values_list("pk", "instructional_use_id")
    for scope_id, authorization_id in links:
        Authorization.objects.filter(pk=authorization_id).update(participation_scope_id=scope_id)
        # From the decision on, the authorization's history names its form, as a new one's would.
        HistoricalAuthorization.objects.filter(id=authorization_id).exclude(status__in=["requested", "declined"]).update(
            participation_scope_id=scope_id
        )


def copy_to_scopes(apps, schema_editor):
    Authorization = apps.get_model("authorizations", "Authorization")
    ConsentScope = apps.get_model("consent", "ConsentScope")
    for authorization_id, scope_id in Authorization.objects.filter(participation_scope__isnull=False).values_list(
        "pk", "participation_scope_id"
    ):
        ConsentScope.objects.filter(pk=scope_id).update(instructional_use_id=authorization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0001_initial"),
        ("consent", "0005_privacy_log_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="authorization",
            name="participation_scope",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="authorization",
                to="consent.consentscope",
            ),
        ),
        migrations.AddField(
            model_name="historicalauthorization",
            name="participation_scope",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="consent.consentscope",
            ),
        ),
        migrations.RunPython(copy_from_scopes, copy_to_scopes),
    ]
