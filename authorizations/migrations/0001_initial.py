"""Authorizations to use a tool with students, taken over from the registry (where they were called
instructional uses): its migration 0008 renamed their tables for this app, so this only tells Django's
model state."""

import core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0006_roster_deactivation_limit'),
        ('consent', '0005_privacy_log_kinds'),
        ('registry', '0008_tools_and_authorizations_move_out'),
        ('tools', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='HistoricalAuthorization',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='reason')),
                ('decision_reference', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('purpose', models.TextField(max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what the students will do')),
                ('starts_on', models.DateField(verbose_name='from')),
                ('ends_on', models.DateField(verbose_name='until')),
                ('status', models.CharField(choices=[('requested', 'Waiting for authorization'), ('authorized', 'Authorized'), ('declined', 'Not authorized'), ('revoked', 'Revoked'), ('withdrawn', 'Withdrawn')], default='requested', max_length=20)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('end_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='why it ended')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical authorization',
                'verbose_name_plural': 'historical authorizations',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Authorization',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='reason')),
                ('decision_reference', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('purpose', models.TextField(max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what the students will do')),
                ('starts_on', models.DateField(verbose_name='from')),
                ('ends_on', models.DateField(verbose_name='until')),
                ('status', models.CharField(choices=[('requested', 'Waiting for authorization'), ('authorized', 'Authorized'), ('declined', 'Not authorized'), ('revoked', 'Revoked'), ('withdrawn', 'Withdrawn')], default='requested', max_length=20)),
                ('ended_at', models.DateTimeField(blank=True, null=True)),
                ('end_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='why it ended')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorizations', to='accounts.district')),
                ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorizations', to='accounts.program', verbose_name='class or program')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('staff_member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorizations', to=settings.AUTH_USER_MODEL, verbose_name='staff member using it')),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
    
        migrations.AddField(
            model_name='authorization',
            name='tool',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='authorizations', to='tools.tool'),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='district',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district'),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='ended_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='program',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.program', verbose_name='class or program'),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='requested_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='staff_member',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member using it'),
        ),
        migrations.AddField(
            model_name='historicalauthorization',
            name='tool',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tools.tool'),
        ),
        migrations.AddIndex(
            model_name='authorization',
            index=models.Index(fields=['district', 'status', 'ends_on'], name='authorization_district_status'),
        ),
        migrations.AddIndex(
            model_name='authorization',
            index=models.Index(fields=['program', 'status'], name='authorization_program_status'),
        ),
        migrations.AddConstraint(
            model_name='authorization',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='authorization_dates_in_order'),
        ),
        migrations.AddConstraint(
            model_name='authorization',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'declined'), _negated=True), models.Q(('decision_reason', ''), _negated=True), _connector='OR'), name='authorization_refusal_with_reason'),
        ),
        migrations.AddConstraint(
            model_name='authorization',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'revoked'), _negated=True), models.Q(models.Q(('end_reason', ''), _negated=True), ('ended_at__isnull', False)), _connector='OR'), name='authorization_revoked_with_reason'),
        ),
    ]
        ),
    ]
