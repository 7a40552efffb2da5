"""An acknowledgement names the policy version that was read."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0010_rules_in_one_place'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountadministrator',
            name='policy_acknowledged_version',
            field=models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='policy version acknowledged'),
        ),
        migrations.AddField(
            model_name='historicalaccountadministrator',
            name='policy_acknowledged_version',
            field=models.CharField(blank=True, db_default='', default='', max_length=300, verbose_name='policy version acknowledged'),
        ),
    ]
