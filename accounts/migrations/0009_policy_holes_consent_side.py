"""The policy profile says what a district decides: whether consent is collected again each school year."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_roster_sync_guardians'),
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
    ]
