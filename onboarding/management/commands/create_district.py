"""Create a district for a scripted install: its profile from a seed policy, its first director invited.

    python manage.py create_district --name "Willmar Public Schools" --slug willmar \
        --template willmar-460 --director-email director@willmar.k12.mn.us
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.policy_templates import BLANK, TEMPLATES
from onboarding.services import NewDistrict, district_create


class Command(BaseCommand):
    help = "Create a district with its policy profile from a seed policy (or blank) and invite its first director."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Short name, part of every address.")
        parser.add_argument("--time-zone", default="America/Chicago")
        parser.add_argument("--school-year-starts", type=int, default=7, help="Month number (7 = July).")
        parser.add_argument(
            "--template", default=BLANK.key, choices=[t.key for t in [*TEMPLATES, BLANK]], help="Seed policy."
        )
        parser.add_argument("--director-email", required=True)
        parser.add_argument("--director-first-name", default="")
        parser.add_argument("--director-last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        new = NewDistrict(
            name=options["name"],
            slug=options["slug"],
            time_zone=options["time_zone"],
            school_year_start_month=options["school_year_starts"],
            template=options["template"],
            director_email=options["director_email"],
            director_first_name=options["director_first_name"],
            director_last_name=options["director_last_name"],
        )
        try:
            district = district_create(acting_user=None, new=new)
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(f"Nothing was created. {problems}") from None
        self.stdout.write(f"Created {district.name} ({district.slug}); invited {new.director_email.strip().lower()}.")
