"""The approved-tool list, tool requests, designees and tools' logo permissions, taken over from the
registry: its migration 0008 renamed their tables for this app, so this only tells Django's model state."""

import core.validators
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0006_roster_deactivation_limit'),
        ('registry', '0008_tools_and_authorizations_move_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='HistoricalDesignee',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('power', models.CharField(choices=[('tools', 'Approve tools for instruction'), ('instructional_use', "Authorize a tool's use with students"), ('logo_use', 'Grant permission to use the district logo')], max_length=20)),
                ('starts_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='from')),
                ('ends_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                ('note', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('designated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical designee',
                'verbose_name_plural': 'historical designees',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalTool',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('vendor', models.CharField(blank=True, max_length=200)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('category', models.CharField(choices=[('social_media', 'Social network'), ('video', 'Video and streaming'), ('classroom', 'Classroom or learning platform'), ('communication', 'Messaging with families or students'), ('creation', 'Creating and publishing (blogs, portfolios, sites)'), ('assessment', 'Quizzes and assessment'), ('productivity', 'Documents and productivity'), ('other', 'Other')], default='other', max_length=20)),
                ('description', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what it is used for')),
                ('is_public_social_media', models.BooleanField(default=False, help_text="Anyone can see what is posted. The policy needs the Superintendent's authorization and parental consent before students take part.", verbose_name='public social network')),
                ('status', models.CharField(choices=[('approved', 'Approved'), ('approved_with_conditions', 'Approved with conditions'), ('under_review', 'Under review'), ('not_approved', 'Not approved'), ('retired', 'Retired')], default='under_review', max_length=30)),
                ('conditions', models.TextField(blank=True, help_text='What staff must do or avoid, e.g. “teacher-created class accounts only; no student surnames”.', max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='conditions of use')),
                ('lowest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='from grade')),
                ('highest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='to grade')),
                ('minimum_age', models.PositiveSmallIntegerField(blank=True, help_text='Many social networks require users to be 13.', null=True, validators=[django.core.validators.MaxValueValidator(21)], verbose_name="minimum age in the tool's terms")),
                ('privacy_agreement_on_file', models.BooleanField(default=False, verbose_name='student data privacy agreement on file')),
                ('privacy_agreement_expires_on', models.DateField(blank=True, null=True, verbose_name='privacy agreement expires on')),
                ('parental_consent_required', models.BooleanField(default=False, help_text='Always the case for public social networks.', verbose_name='parental consent required for students to take part')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('decision_reference', models.CharField(blank=True, help_text='Where the decision is written down, e.g. “Board minutes, March 9, 2026, item 7”.', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('next_review_on', models.DateField(blank=True, null=True, verbose_name='next review date')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('added_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical tool',
                'verbose_name_plural': 'historical tools',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Tool',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('vendor', models.CharField(blank=True, max_length=200)),
                ('website', models.URLField(blank=True, max_length=500)),
                ('category', models.CharField(choices=[('social_media', 'Social network'), ('video', 'Video and streaming'), ('classroom', 'Classroom or learning platform'), ('communication', 'Messaging with families or students'), ('creation', 'Creating and publishing (blogs, portfolios, sites)'), ('assessment', 'Quizzes and assessment'), ('productivity', 'Documents and productivity'), ('other', 'Other')], default='other', max_length=20)),
                ('description', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what it is used for')),
                ('is_public_social_media', models.BooleanField(default=False, help_text="Anyone can see what is posted. The policy needs the Superintendent's authorization and parental consent before students take part.", verbose_name='public social network')),
                ('status', models.CharField(choices=[('approved', 'Approved'), ('approved_with_conditions', 'Approved with conditions'), ('under_review', 'Under review'), ('not_approved', 'Not approved'), ('retired', 'Retired')], default='under_review', max_length=30)),
                ('conditions', models.TextField(blank=True, help_text='What staff must do or avoid, e.g. “teacher-created class accounts only; no student surnames”.', max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='conditions of use')),
                ('lowest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='from grade')),
                ('highest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='to grade')),
                ('minimum_age', models.PositiveSmallIntegerField(blank=True, help_text='Many social networks require users to be 13.', null=True, validators=[django.core.validators.MaxValueValidator(21)], verbose_name="minimum age in the tool's terms")),
                ('privacy_agreement_on_file', models.BooleanField(default=False, verbose_name='student data privacy agreement on file')),
                ('privacy_agreement_expires_on', models.DateField(blank=True, null=True, verbose_name='privacy agreement expires on')),
                ('parental_consent_required', models.BooleanField(default=False, help_text='Always the case for public social networks.', verbose_name='parental consent required for students to take part')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                ('decision_reference', models.CharField(blank=True, help_text='Where the decision is written down, e.g. “Board minutes, March 9, 2026, item 7”.', max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('next_review_on', models.DateField(blank=True, null=True, verbose_name='next review date')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tools', to='accounts.district')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalToolRequest',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='reason')),
                ('decision_reference', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('tool_name', models.CharField(max_length=200, verbose_name='tool')),
                ('website', models.URLField(blank=True, max_length=500)),
                ('is_public_social_media', models.BooleanField(default=False, verbose_name='it is a public social network')),
                ('purpose', models.TextField(max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what you will use it for')),
                ('students', models.TextField(help_text='Classes, grades and about how many students, e.g. “my two 7th-grade science classes, 54 students”.', max_length=1000, validators=[core.validators.refuse_secrets], verbose_name='which students')),
                ('lowest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='from grade')),
                ('highest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='to grade')),
                ('status', models.CharField(choices=[('waiting', 'Waiting for a decision'), ('approved', 'Approved'), ('approved_with_conditions', 'Approved with conditions'), ('declined', 'Not approved'), ('withdrawn', 'Withdrawn')], default='waiting', max_length=30)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.district')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('school', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.school')),
                ('tool', models.ForeignKey(blank=True, db_constraint=False, help_text='Set once decided.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tools.tool')),
            ],
            options={
                'verbose_name': 'historical tool request',
                'verbose_name_plural': 'historical tool requests',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalToolLogoPermission',
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
                ('withdrawn_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tools.tool', verbose_name='tool')),
            ],
            options={
                'verbose_name': 'historical tool logo permission',
                'verbose_name_plural': 'historical tool logo permissions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ToolLogoPermission',
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
                ('subject', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='logo_permissions', to='tools.tool', verbose_name='tool')),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-granted_on', '-pk'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='ToolRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_as', models.CharField(blank=True, choices=[('superintendent', 'The Superintendent'), ('designee', "The Superintendent's designee"), ('school_board', 'The School Board')], max_length=20, verbose_name='decided by')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_reason', models.TextField(blank=True, max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='reason')),
                ('decision_reference', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets], verbose_name='written record')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('tool_name', models.CharField(max_length=200, verbose_name='tool')),
                ('website', models.URLField(blank=True, max_length=500)),
                ('is_public_social_media', models.BooleanField(default=False, verbose_name='it is a public social network')),
                ('purpose', models.TextField(max_length=2000, validators=[core.validators.refuse_secrets], verbose_name='what you will use it for')),
                ('students', models.TextField(help_text='Classes, grades and about how many students, e.g. “my two 7th-grade science classes, 54 students”.', max_length=1000, validators=[core.validators.refuse_secrets], verbose_name='which students')),
                ('lowest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='from grade')),
                ('highest_grade', models.SmallIntegerField(blank=True, choices=[(-1, 'Pre-K'), (0, 'Kindergarten'), (1, 'Grade 1'), (2, 'Grade 2'), (3, 'Grade 3'), (4, 'Grade 4'), (5, 'Grade 5'), (6, 'Grade 6'), (7, 'Grade 7'), (8, 'Grade 8'), (9, 'Grade 9'), (10, 'Grade 10'), (11, 'Grade 11'), (12, 'Grade 12')], null=True, verbose_name='to grade')),
                ('status', models.CharField(choices=[('waiting', 'Waiting for a decision'), ('approved', 'Approved'), ('approved_with_conditions', 'Approved with conditions'), ('declined', 'Not approved'), ('withdrawn', 'Withdrawn')], default='waiting', max_length=30)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tool_requests', to='accounts.district')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tool_requests', to=settings.AUTH_USER_MODEL)),
                ('school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.school')),
                ('tool', models.ForeignKey(blank=True, help_text='Set once decided.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='tools.tool')),
            ],
            options={
                'ordering': ['requested_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Designee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('power', models.CharField(choices=[('tools', 'Approve tools for instruction'), ('instructional_use', "Authorize a tool's use with students"), ('logo_use', 'Grant permission to use the district logo')], max_length=20)),
                ('starts_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='from')),
                ('ends_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                ('note', models.CharField(blank=True, max_length=300, validators=[core.validators.refuse_secrets])),
                ('designated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designees', to='accounts.district')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['power', 'starts_on'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('ends_on__isnull', True)), fields=('district', 'user', 'power'), name='designee_once_per_power')],
            },
        ),
        migrations.AddIndex(
            model_name='tool',
            index=models.Index(fields=['district', 'status'], name='tool_district_status'),
        ),
        migrations.AddIndex(
            model_name='tool',
            index=models.Index(fields=['next_review_on'], name='tool_next_review'),
        ),
        migrations.AddIndex(
            model_name='tool',
            index=models.Index(fields=['privacy_agreement_expires_on'], name='tool_agreement_expiry'),
        ),
        migrations.AddConstraint(
            model_name='tool',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), models.F('district'), name='tool_unique_name_per_district'),
        ),
        migrations.AddConstraint(
            model_name='tool',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved_with_conditions'), _negated=True), models.Q(('conditions', ''), _negated=True), _connector='OR'), name='tool_conditions_written_down'),
        ),
        migrations.AddConstraint(
            model_name='tool',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['approved', 'approved_with_conditions', 'not_approved']), _negated=True), ('decided_on__isnull', False), _connector='OR'), name='tool_decision_dated'),
        ),
        migrations.AddConstraint(
            model_name='tool',
            constraint=models.CheckConstraint(condition=models.Q(('lowest_grade__isnull', True), ('highest_grade__isnull', True), ('lowest_grade__lte', models.F('highest_grade')), _connector='OR'), name='tool_grade_band_in_order'),
        ),
        migrations.AddConstraint(
            model_name='tool',
            constraint=models.CheckConstraint(condition=models.Q(('privacy_agreement_expires_on__isnull', True), ('privacy_agreement_on_file', True), _connector='OR'), name='tool_agreement_expiry_needs_agreement'),
        ),
        migrations.AddConstraint(
            model_name='toollogopermission',
            constraint=models.UniqueConstraint(condition=models.Q(('withdrawn_on__isnull', True)), fields=('subject',), name='toollogopermission_one_current'),
        ),
        migrations.AddIndex(
            model_name='toolrequest',
            index=models.Index(fields=['district', 'status'], name='tool_request_district_status'),
        ),
        migrations.AddConstraint(
            model_name='toolrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'declined'), _negated=True), models.Q(('decision_reason', ''), _negated=True), _connector='OR'), name='tool_request_declined_with_reason'),
        ),
        migrations.AddConstraint(
            model_name='toolrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['approved', 'approved_with_conditions']), _negated=True), ('tool__isnull', False), _connector='OR'), name='tool_request_decided_with_tool'),
        ),
    ]
        ),
    ]
