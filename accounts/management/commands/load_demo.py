from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import load_demo


class Command(BaseCommand):
    help = "Load the five demo districts (one per seed policy). Running it again changes nothing."

    def handle(self, *args: object, **options: object) -> None:
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Sign in at {settings.SITE_URL}/ with:"))
        self.stdout.write(f"  password for everyone: {settings.DEMO_PASSWORD}")
        current = None
        for login in logins:
            if login.district != current:
                current = login.district
                self.stdout.write(f"  {current}")
            self.stdout.write(f"    {login.role:<28} {login.email}")
