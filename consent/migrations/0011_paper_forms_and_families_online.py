# Both branches of the families work: birth dates for the paper form, and the online links.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0010_consent_import_mapping'),
        ('consent', '0010_families_answer_online'),
    ]

    operations = [
    ]
