"""A district may keep its directory-information opt-out list as a consent scope (458)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0007_renewal_is_the_districts_choice'),
    ]

    operations = [
        migrations.AlterField(
            model_name='consentscope',
            name='kind',
            field=models.CharField(choices=[('social_media', 'District and school social media'), ('website', 'District website and newsletters'), ('yearbook', 'Yearbook'), ('news_media', 'News media'), ('directory_info', 'Directory information (opt-out list)'), ('other', 'Other (added by the district)'), ('participation', 'Taking part in a tool with a class or program')], default='other', max_length=20),
        ),
        migrations.AlterField(
            model_name='historicalconsentscope',
            name='kind',
            field=models.CharField(choices=[('social_media', 'District and school social media'), ('website', 'District website and newsletters'), ('yearbook', 'Yearbook'), ('news_media', 'News media'), ('directory_info', 'Directory information (opt-out list)'), ('other', 'Other (added by the district)'), ('participation', 'Taking part in a tool with a class or program')], default='other', max_length=20),
        ),
    ]
