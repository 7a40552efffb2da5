# Both branches of the families work: birth dates for the paper form, and the online links.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0013_families_answer_online'),
        ('accounts', '0013_student_birth_date'),
    ]

    operations = [
    ]
