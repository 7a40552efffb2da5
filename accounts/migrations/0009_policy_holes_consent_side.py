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
    ]
