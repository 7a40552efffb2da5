"""The register of who may speak for the district, a decision the policies reserve."""

import core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_policy_holes_consent_side'),
        ('tools', '0002_rules_in_one_place'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='designee',
            name='power',
            field=models.CharField(choices=[('tools', 'Approve tools for instruction'), ('instructional_use', "Authorize a tool's use with students"), ('logo_use', 'Grant permission to use the district logo'), ('spokesperson', 'Authorize staff to speak for the district')], max_length=20),
        ),
        migrations.AlterField(
            model_name='historicaldesignee',
            name='power',
            field=models.CharField(choices=[('tools', 'Approve tools for instruction'), ('instructional_use', "Authorize a tool's use with students"), ('logo_use', 'Grant permission to use the district logo'), ('spokesperson', 'Authorize staff to speak for the district')], max_length=20),
        ),
        migrations.CreateModel(
            name='HistoricalSpokesperson',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('subject', models.CharField(help_text="E.g. “athletics, to the news media and on the district's pages”.", max_length=300, validators=[core.validators.refuse_secrets], verbose_name='may speak for the district on')),
                ('decided_as', models.CharField(choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='authorized by')),
                ('granted_by_name', models.CharField(max_length=200, validators=[core.validators.refuse_secrets], verbose_name='name of the person or body authorizing')),
                ('granted_on', models.DateField(verbose_name='authorized on')),
                ('until', models.DateField(blank=True, help_text='Empty: until withdrawn.', null=True, verbose_name='until')),
                ('reference', models.CharField(blank=True, help_text='E.g. the letter of authorization, or the Board minutes (required for a Board decision).', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='where the decision is written')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_on', models.DateField(blank=True, null=True)),
                ('withdrawal_reason', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical spokesperson',
                'verbose_name_plural': 'historical spokespersons',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Spokesperson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(help_text="E.g. “athletics, to the news media and on the district's pages”.", max_length=300, validators=[core.validators.refuse_secrets], verbose_name='may speak for the district on')),
                ('decided_as', models.CharField(choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='authorized by')),
                ('granted_by_name', models.CharField(max_length=200, validators=[core.validators.refuse_secrets], verbose_name='name of the person or body authorizing')),
                ('granted_on', models.DateField(verbose_name='authorized on')),
                ('until', models.DateField(blank=True, help_text='Empty: until withdrawn.', null=True, verbose_name='until')),
                ('reference', models.CharField(blank=True, help_text='E.g. the letter of authorization, or the Board minutes (required for a Board decision).', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='where the decision is written')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('withdrawn_on', models.DateField(blank=True, null=True)),
                ('withdrawal_reason', models.CharField(blank=True, max_length=500, validators=[core.validators.refuse_secrets])),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spokespeople', to='accounts.district')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spokesperson_authorizations', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-granted_on', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('until__isnull', True), ('until__gte', models.F('granted_on')), _connector='OR'), name='spokesperson_until_after_granted', violation_error_message='The end date cannot be before the authorization.')],
            },
        ),
    ]
