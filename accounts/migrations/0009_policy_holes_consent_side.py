"""What the seed policies decide, in the policy profile: yearly renewal of consent, which list governs
social media, administrators' acknowledgement, the review cycle; and the policy documents themselves."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_roster_sync_guardians'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='district',
            name='consent_renewed_each_school_year',
            field=models.BooleanField(db_default=False, default=False, help_text="On: last year's answers stop counting on the first day of the new school year, so every family answers again. None of the seed policies asks for it; turn it on only where your policy does.", verbose_name='consent collected again each school year'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='consent_renewed_each_school_year',
            field=models.BooleanField(db_default=False, default=False, help_text="On: last year's answers stop counting on the first day of the new school year, so every family answers again. None of the seed policies asks for it; turn it on only where your policy does.", verbose_name='consent collected again each school year'),
        ),
        migrations.AddField(
            model_name='district',
            name='social_media_photo_lists',
            field=models.CharField(choices=[('social_media', "The families' answer about social media"), ('directory_information', 'The directory-information opt-out list'), ('both', 'Both: a student on either list is not posted')], db_default='social_media', default='social_media', help_text='Policy 458, for example: no images on social media of students on the directory-information opt-out list. The lists, the quick check and the exports follow this answer.', max_length=30, verbose_name='which list governs posting students on social media'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='social_media_photo_lists',
            field=models.CharField(choices=[('social_media', "The families' answer about social media"), ('directory_information', 'The directory-information opt-out list'), ('both', 'Both: a student on either list is not posted')], db_default='social_media', default='social_media', help_text='Policy 458, for example: no images on social media of students on the directory-information opt-out list. The lists, the quick check and the exports follow this answer.', max_length=30, verbose_name='which list governs posting students on social media'),
        ),
        migrations.AddField(
            model_name='district',
            name='administrator_acknowledgement_required',
            field=models.BooleanField(db_default=False, default=False, help_text="On: a designated administrator counts toward an account's minimum (and its launch) only once they have acknowledged the district's social media guidelines (Policy 458 IV.B.5, 547 IV.F).", verbose_name='administrators acknowledge the guidelines before they count'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='administrator_acknowledgement_required',
            field=models.BooleanField(db_default=False, default=False, help_text="On: a designated administrator counts toward an account's minimum (and its launch) only once they have acknowledged the district's social media guidelines (Policy 458 IV.B.5, 547 IV.F).", verbose_name='administrators acknowledge the guidelines before they count'),
        ),
        migrations.AddField(
            model_name='district',
            name='policy_review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text="Policy 547: “at least annually” (12). Empty: the policy sets no review cycle. A policy document past its review date is on the director's list.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='policy reviewed at least every (months)'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='policy_review_interval_months',
            field=models.PositiveSmallIntegerField(blank=True, help_text="Policy 547: “at least annually” (12). Empty: the policy sets no review cycle. A policy document past its review date is on the director's list.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='policy reviewed at least every (months)'),
        ),
        migrations.CreateModel(
            name='HistoricalPolicyDocument',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('number', models.CharField(help_text='e.g. “458” or “547.0 / R-547.0”.', max_length=40, verbose_name='policy number')),
                ('title', models.CharField(help_text='e.g. “Employee Use of Social Media”.', max_length=200)),
                ('version', models.CharField(help_text='How the district names this version, e.g. the date the Board approved it.', max_length=60)),
                ('adopted_on', models.DateField(blank=True, null=True, verbose_name='adopted on')),
                ('last_reviewed_on', models.DateField(blank=True, null=True, verbose_name='last reviewed on')),
                ('text', models.TextField(blank=True, verbose_name='text of the policy')),
                ('url', models.URLField(blank=True, max_length=500, verbose_name='link to the policy')),
                ('current', models.BooleanField(default=True, editable=False)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical policy document',
                'verbose_name_plural': 'historical policy documents',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PolicyDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(help_text='e.g. “458” or “547.0 / R-547.0”.', max_length=40, verbose_name='policy number')),
                ('title', models.CharField(help_text='e.g. “Employee Use of Social Media”.', max_length=200)),
                ('version', models.CharField(help_text='How the district names this version, e.g. the date the Board approved it.', max_length=60)),
                ('adopted_on', models.DateField(blank=True, null=True, verbose_name='adopted on')),
                ('last_reviewed_on', models.DateField(blank=True, null=True, verbose_name='last reviewed on')),
                ('text', models.TextField(blank=True, verbose_name='text of the policy')),
                ('url', models.URLField(blank=True, max_length=500, verbose_name='link to the policy')),
                ('current', models.BooleanField(default=True, editable=False)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='policy_documents', to='accounts.district')),
            ],
            options={
                'ordering': ['number', '-recorded_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('current', True)), fields=('district', 'number'), name='policy_document_one_current_version'), models.CheckConstraint(condition=models.Q(models.Q(('text', ''), _negated=True), models.Q(('url', ''), _negated=True), _connector='OR'), name='policy_document_has_text_or_link', violation_error_message='Give the text of the policy or a link to it.')],
            },
        ),
        migrations.AddField(
            model_name='district',
            name='personal_site_student_photos',
            field=models.CharField(choices=[('same_rule', 'Under the same rule as official accounts'), ('never', 'Never: no pictures of students on personal sites')], db_default='same_rule', default='same_rule', help_text="Policy 458's guidelines: “Staff may not post student pictures … on personal online social media sites”. The “May I post this student?” check answers for a personal site by this rule.", max_length=20, verbose_name="pictures of students on staff's personal sites"),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='personal_site_student_photos',
            field=models.CharField(choices=[('same_rule', 'Under the same rule as official accounts'), ('never', 'Never: no pictures of students on personal sites')], db_default='same_rule', default='same_rule', help_text="Policy 458's guidelines: “Staff may not post student pictures … on personal online social media sites”. The “May I post this student?” check answers for a personal site by this rule.", max_length=20, verbose_name="pictures of students on staff's personal sites"),
        ),
        migrations.AddField(
            model_name='district',
            name='spokesperson_approver',
            field=models.CharField(choices=[('superintendent', 'The Superintendent'), ('superintendent_or_designee', 'The Superintendent or designee'), ('school_board', 'The School Board'), ('superintendent_or_board', 'The Superintendent or the School Board')], db_default='superintendent_or_designee', default='superintendent_or_designee', help_text='Staff may not act as a spokesperson for the district except as authorized by this person or body.', max_length=40, verbose_name='who authorizes staff to speak for the district'),
        ),
        migrations.AddField(
            model_name='historicaldistrict',
            name='spokesperson_approver',
            field=models.CharField(choices=[('superintendent', 'The Superintendent'), ('superintendent_or_designee', 'The Superintendent or designee'), ('school_board', 'The School Board'), ('superintendent_or_board', 'The Superintendent or the School Board')], db_default='superintendent_or_designee', default='superintendent_or_designee', help_text='Staff may not act as a spokesperson for the district except as authorized by this person or body.', max_length=40, verbose_name='who authorizes staff to speak for the district'),
        ),
    ]
