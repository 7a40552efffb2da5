"""Demo data: one district per seed policy, with invented people. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import (
    District,
    Membership,
    PolicyDocument,
    Program,
    ProgramKind,
    ProgramMembership,
    ProgramRole,
    Role,
    School,
    Student,
    User,
)
from accounts.policy_templates import TEMPLATES_BY_KEY

_Row = TypeVar("_Row")


def seeded(row: _Row | None, what: str) -> _Row:
    """A row the demo directory always has (looked up with .first()); its absence is a broken seed."""
    if row is None:
        raise LookupError(f"the demo directory has no {what}")
    return row


# One district per seed policy, its profile from the policy's template (accounts.policy_templates).
PROFILES: list[dict[str, Any]] = [
    {
        "slug": "willmar",
        "name": "Willmar Public Schools (demo)",
        "template": "willmar-460",
        "schools": ["Willmar Senior High", "Kennedy Elementary", "Roosevelt Elementary"],
    },
    {
        "slug": "henning",
        "name": "Henning Public Schools (demo)",
        "template": "henning-436",
        "schools": ["Henning School"],
    },
    {
        "slug": "lakeshore",
        "name": "Lakeshore School District, Wisconsin (demo)",
        "template": "wisconsin-547",
        "schools": ["Lakeshore High", "Lakeshore Middle", "Harbor Elementary"],
    },
    {
        "slug": "bloomington",
        "name": "Bloomington Public Schools ISD 271 (demo)",
        "template": "bloomington-458",
        "schools": ["Jefferson High", "Kennedy High", "Olson Middle"],
    },
    {
        "slug": "litchfield",
        "name": "Litchfield Public Schools (demo)",
        "template": "litchfield-4118-51",
        "schools": ["Litchfield High", "Lake Ripley Elementary"],
    },
]

FIRST_NAMES = [
    "Avery",
    "Blake",
    "Carmen",
    "Dev",
    "Elena",
    "Farah",
    "Gus",
    "Hana",
    "Ines",
    "Jonah",
    "Kai",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Zane",
]
LAST_NAMES = [
    "Abbott",
    "Bergstrom",
    "Castillo",
    "Dahl",
    "Engel",
    "Fischer",
    "Gunderson",
    "Haugen",
    "Ibarra",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreno",
    "Nakamura",
    "Olsen",
    "Pham",
    "Quist",
    "Rasmussen",
    "Sandoval",
    "Thao",
]
STUDENTS_PER_SCHOOL = 24
GRADES_ELEMENTARY = ["KG", "01", "02", "03", "04", "05"]
GRADES_SECONDARY = ["06", "07", "08", "09", "10", "11", "12"]


@dataclass(frozen=True)
class DemoLogin:
    district: str
    role: str
    email: str


def _name(n: int) -> tuple[str, str]:
    return FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)]


def _person(district: District, email: str, first: str, last: str, title: str, number: int, password: str) -> User:
    user, _ = User.objects.get_or_create(
        email=email,
        defaults={
            "district": district,
            "first_name": first,
            "last_name": last,
            "job_title": title,
            "employee_id": f"{district.slug[:3].upper()}{number:04d}",
            "password": password,
        },
    )
    return user


def _role(user: User, role: str, school: School | None = None) -> None:
    if user.district is None:
        raise ValueError(f"{user} has no district to hold a role in")
    Membership.objects.get_or_create(
        user=user, role=role, school=school, ended_on=None, defaults={"district": user.district}
    )


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    password = make_password(settings.DEMO_PASSWORD)  # hashed once: Argon2 is slow on purpose
    for number, profile in enumerate(PROFILES):
        template = TEMPLATES_BY_KEY[profile["template"]]
        values = {**template.values, "name": profile["name"]}
        district, _ = District.objects.get_or_create(slug=profile["slug"], defaults=values)
        document = dict(template.document or {})
        PolicyDocument.objects.get_or_create(district=district, number=document.pop("number"), defaults=document)
        domain = f"{district.slug}.example.org"
        counter = number * 1000

        def person(local: str, title: str, *, district: District = district, domain: str = domain) -> User:
            nonlocal counter
            counter += 1
            first, last = _name(counter)
            return _person(district, f"{local}@{domain}", first, last, title, counter, password)

        for role, local, title in [
            (Role.DIRECTOR, "director", "Director of Technology"),
            (Role.SUPERINTENDENT, "superintendent", "Superintendent"),
            (Role.COMMUNICATIONS, "communications", "Communications Coordinator"),
        ]:
            user = person(local, title)
            _role(user, Role.STAFF)
            _role(user, role)
            logins.append(DemoLogin(district.name, role.label, user.email))

        student_number = 0
        for school_index, school_name in enumerate(profile["schools"]):
            school, _ = School.objects.get_or_create(
                district=district, name=school_name, defaults={"code": f"{100 + school_index}"}
            )
            tag = f"s{school_index + 1}"
            principal = person(f"principal.{tag}", "Principal")
            clerk = person(f"clerk.{tag}", "Office Clerk")
            teachers = [person(f"teacher{i}.{tag}", "Teacher") for i in range(1, 4)]
            coach = person(f"coach.{tag}", "Coach and Teacher")
            for user in (principal, clerk, *teachers, coach):
                _role(user, Role.STAFF, school)
            _role(principal, Role.PRINCIPAL, school)
            _role(clerk, Role.CLERK, school)
            if school_index == 0:
                logins.append(DemoLogin(district.name, Role.PRINCIPAL.label, principal.email))
                logins.append(DemoLogin(district.name, Role.CLERK.label, clerk.email))
                logins.append(DemoLogin(district.name, Role.STAFF.label, teachers[0].email))

            elementary = "Elementary" in school_name
            grades = GRADES_ELEMENTARY if elementary else GRADES_SECONDARY
            club, _ = Program.objects.get_or_create(
                school=school, name="Art Club" if elementary else "Robotics Club", defaults={"kind": ProgramKind.CLUB}
            )
            team, _ = Program.objects.get_or_create(
                school=school,
                name="Chess Team" if elementary else "Varsity Soccer",
                defaults={"kind": ProgramKind.TEAM},
            )
            ProgramMembership.objects.get_or_create(
                program=team, user=coach, ended_on=None, defaults={"role": ProgramRole.COACH}
            )
            ProgramMembership.objects.get_or_create(
                program=club, user=teachers[1], ended_on=None, defaults={"role": ProgramRole.ADVISOR}
            )
            for i in range(STUDENTS_PER_SCHOOL):
                student_number += 1
                first, last = _name(student_number * 7 + number * 3 + school_index)
                student, _ = Student.objects.get_or_create(
                    district=district,
                    sis_id=f"{district.slug[:2].upper()}{school_index + 1}{student_number:05d}",
                    defaults={
                        "school": school,
                        "first_name": first,
                        "last_name": last,
                        "grade": grades[i % len(grades)],
                    },
                )
                if i % 3 == 0:
                    ProgramMembership.objects.get_or_create(program=club, student=student, ended_on=None)
                if i % 4 == 1:
                    ProgramMembership.objects.get_or_create(program=team, student=student, ended_on=None)
    return logins
