"""The platforms every district starts with. Their address rules live in registry/profile_urls.py."""

from django.db import migrations

PLATFORMS = [
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("x", "X (Twitter)"),
    ("youtube", "YouTube"),
    ("tiktok", "TikTok"),
    ("linkedin", "LinkedIn"),
    ("pinterest", "Pinterest"),
    ("snapchat", "Snapchat"),
    ("flickr", "Flickr"),
    ("website", "Blog or website"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    Platform = apps.get_model("registry", "Platform")
    for order, (slug, name) in enumerate(PLATFORMS, start=1):
        Platform.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
