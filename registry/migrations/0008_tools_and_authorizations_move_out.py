"""Tools, tool requests, designees, logo permissions and authorizations leave the registry for their own
apps (tools, authorizations); the registry keeps official accounts.

Logo permissions split in two: an account's goes to a table of the registry's own
(AccountLogoPermission, the same ids, their history with them), a tool's stays in the old table,
renamed ToolLogoPermission. Then every moving table is renamed for its new app; the next migrations
of tools and authorizations take them over in Django's model state, without touching the data.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import core.validators

LOGO_FIELDS = [
    "id", "decided_as", "granted_by_name", "granted_on", "written_as", "reference", "conditions", "recorded_at",
    "withdrawn_on", "withdrawal_reason", "district_id", "recorded_by_id", "withdrawn_by_id",
]  # fmt: skip
HISTORY_FIELDS = ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"]


def split_account_logo_permissions(apps, schema_editor):
    """An account's logo permissions, and their history, move to the registry's own table."""
    old = apps.get_model("registry", "LogoPermission")
    new = apps.get_model("registry", "AccountLogoPermission")
    old_history = apps.get_model("registry", "HistoricalLogoPermission")
    new_history = apps.get_model("registry", "HistoricalAccountLogoPermission")
    rows = old.objects.filter(account__isnull=False)
    new.objects.bulk_create(
        new(subject_id=row.account_id, **{f: getattr(row, f) for f in LOGO_FIELDS}) for row in rows.iterator()
    )
    history = old_history.objects.filter(account_id__isnull=False)
    new_history.objects.bulk_create(
        new_history(subject_id=row.account_id, **{f: getattr(row, f) for f in LOGO_FIELDS + HISTORY_FIELDS})
        for row in history.iterator()
    )
    rows.delete()
    history.delete()
    # The ids were kept: the new table's sequence must start after them (PostgreSQL).
    if schema_editor.connection.vendor == "postgresql":
        for model in (new, new_history):
            table, pk = model._meta.db_table, model._meta.pk.column
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                    f"COALESCE((SELECT MAX({pk}) FROM {table}), 0) + 1, false)"
                )


def join_account_logo_permissions(apps, schema_editor):
    old = apps.get_model("registry", "LogoPermission")
    new = apps.get_model("registry", "AccountLogoPermission")
    old_history = apps.get_model("registry", "HistoricalLogoPermission")
    new_history = apps.get_model("registry", "HistoricalAccountLogoPermission")
    old.objects.bulk_create(
        old(account_id=row.subject_id, **{f: getattr(row, f) for f in LOGO_FIELDS}) for row in new.objects.iterator()
    )
    old_history.objects.bulk_create(
        old_history(account_id=row.subject_id, **{f: getattr(row, f) for f in LOGO_FIELDS + HISTORY_FIELDS})
        for row in new_history.objects.iterator()
    )


# Each moving table, renamed for the app that takes it over.
MOVES = [
    ("Designee", "tools_designee"),
    ("HistoricalDesignee", "tools_historicaldesignee"),
    ("Tool", "tools_tool"),
    ("HistoricalTool", "tools_historicaltool"),
    ("ToolRequest", "tools_toolrequest"),
    ("HistoricalToolRequest", "tools_historicaltoolrequest"),
    ("ToolLogoPermission", "tools_toollogopermission"),
    ("HistoricalToolLogoPermission", "tools_historicaltoollogopermission"),
    ("InstructionalUse", "authorizations_authorization"),
    ("HistoricalInstructionalUse", "authorizations_historicalauthorization"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_roster_deactivation_limit"),
        ("registry", "0007_authorization_end_recorded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # An account's logo permissions get a table of their own.
        migrations.CreateModel(
            name='AccountLogoPermission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_as', models.CharField(choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='granted by')),
                ('granted_by_name', models.CharField(max_length=200, validators=[core.validators.refuse_secrets], verbose_name='name of the person or body granting it')),
                ('granted_on', models.DateField()),
                ('written_as', models.CharField(choices=[('letter', 'Signed letter or form'), ('email', 'E-mail'), ('board_minutes', 'School Board minutes'), ('in_app', 'Recorded here by the person granting it')], max_length=20, verbose_name='given in writing as')),
                ('reference', models.CharField(blank=True, help_text='E.g. “letter of March 3, 2026 in the communications office file” or the Board minutes.', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='where the writing is kept')),
                ('conditions', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_on', models.DateField(blank=True, null=True)),
                ('withdrawal_reason', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.district')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('subject', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='logo_permissions', to='registry.socialaccount', verbose_name='account')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-granted_on', '-pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='HistoricalAccountLogoPermission',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('decided_as', models.CharField(choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='granted by')),
                ('granted_by_name', models.CharField(max_length=200, validators=[core.validators.refuse_secrets], verbose_name='name of the person or body granting it')),
                ('granted_on', models.DateField()),
                ('written_as', models.CharField(choices=[('letter', 'Signed letter or form'), ('email', 'E-mail'), ('board_minutes', 'School Board minutes'), ('in_app', 'Recorded here by the person granting it')], max_length=20, verbose_name='given in writing as')),
                ('reference', models.CharField(blank=True, help_text='E.g. “letter of March 3, 2026 in the communications office file” or the Board minutes.', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='where the writing is kept')),
                ('conditions', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_on', models.DateField(blank=True, null=True)),
                ('withdrawal_reason', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.socialaccount', verbose_name='account')),
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical account logo permission',
                'verbose_name_plural': 'historical account logo permissions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddConstraint(
            model_name="accountlogopermission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_on__isnull", True)),
                fields=("subject",),
                name="accountlogopermission_one_current",
            ),
        ),
        migrations.RunPython(split_account_logo_permissions, join_account_logo_permissions),
        # What stays is a tool's: its subject is the tool.
        migrations.RemoveConstraint(model_name="logopermission", name="logo_permission_for_one_thing"),
        migrations.RemoveConstraint(model_name="logopermission", name="logo_permission_one_current_per_account"),
        migrations.RemoveConstraint(model_name="logopermission", name="logo_permission_one_current_per_tool"),
        migrations.RemoveField(model_name="logopermission", name="account"),
        migrations.RemoveField(model_name="historicallogopermission", name="account"),
        migrations.RenameField(model_name="logopermission", old_name="tool", new_name="subject"),
        migrations.RenameField(model_name="historicallogopermission", old_name="tool", new_name="subject"),
        migrations.AlterField(
            model_name="logopermission",
            name="subject",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="logo_permissions",
                to="registry.tool",
                verbose_name="tool",
            ),
        ),
        migrations.AlterField(
            model_name="logopermission",
            name="district",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.district"
            ),
        ),
        migrations.RenameModel(old_name="LogoPermission", new_name="ToolLogoPermission"),
        migrations.RenameModel(old_name="HistoricalLogoPermission", new_name="HistoricalToolLogoPermission"),
        migrations.AddConstraint(
            model_name="toollogopermission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_on__isnull", True)),
                fields=("subject",),
                name="toollogopermission_one_current",
            ),
        ),
        # An authorization is called one: its constraints and indexes say so.
        migrations.RemoveConstraint(model_name="instructionaluse", name="instructional_use_dates_in_order"),
        migrations.RemoveConstraint(model_name="instructionaluse", name="instructional_use_refusal_with_reason"),
        migrations.RemoveConstraint(model_name="instructionaluse", name="instructional_use_revoked_with_reason"),
        migrations.AddConstraint(
            model_name="instructionaluse",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))), name="authorization_dates_in_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="instructionaluse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "declined"), _negated=True),
                    models.Q(("decision_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="authorization_refusal_with_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="instructionaluse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "revoked"), _negated=True),
                    models.Q(models.Q(("end_reason", ""), _negated=True), ("ended_at__isnull", False)),
                    _connector="OR",
                ),
                name="authorization_revoked_with_reason",
            ),
        ),
        migrations.RenameIndex(
            model_name="instructionaluse", new_name="authorization_district_status", old_name="use_district_status_end"
        ),
        migrations.RenameIndex(
            model_name="instructionaluse", new_name="authorization_program_status", old_name="use_program_status"
        ),
        # Every moving table takes its new app's name.
        *[migrations.AlterModelTable(name=name, table=table) for name, table in MOVES],
    ]
