import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import load_demo


class Command(BaseCommand):
    help = "Load the five demo districts (one per seed policy). Running it again changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        # Other apps add their demo data on top of the directory (accounts imports none of them).
        for app in apps.get_app_configs():
            if app.name != "accounts" and app.name.count(".") == 0 and importlib.util.find_spec(f"{app.name}.demo"):
                importlib.import_module(f"{app.name}.demo").load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Sign in at {settings.SITE_URL}/ with:"))
        self.stdout.write(f"  password for everyone: {settings.DEMO_PASSWORD}")
        current = None
        for login in logins:
            if login.district != current:
                current = login.district
                self.stdout.write(f"  {current}")
            self.stdout.write(f"    {login.role:<28} {login.email}")
