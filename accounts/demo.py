"""Demo data: one district per seed policy, with invented people. Loading twice changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import (
    Approver,
    DisclosureRecipient,
    District,
    Membership,
    PersonalSitePhotos,
    PhotoModel,
    PolicyDocument,
    Program,
    ProgramKind,
    ProgramMembership,
    ProgramRole,
    Role,
    School,
    SocialMediaPhotoLists,
    Student,
    ToolListVisibility,
    User,
)

_Row = TypeVar("_Row")


def seeded(row: _Row | None, what: str) -> _Row:
    """A row the demo directory always has (looked up with .first()); its absence is a broken seed."""
    if row is None:
        raise LookupError(f"the demo directory has no {what}")
    return row


# Five profiles, read off the five seed policies (see the seeds README).
PROFILES: list[dict[str, Any]] = [
    {
        "slug": "willmar",
        "name": "Willmar Public Schools (demo)",
        "policy_reference": "Policy 460 Social Media",
        "photo_model": PhotoModel.WRITTEN_CONSENT,
        "public_arena_exception": True,
        "disclosure_required": True,
        "disclosure_recipient": DisclosureRecipient.SCHOOL,
        "preferred_account_administrators": 1,
        "tool_approver": Approver.SUPERINTENDENT_OR_BOARD,
        "logo_use_approver": Approver.SUPERINTENDENT_OR_BOARD,
        # V.D.3: no spokesperson “except as authorized by the Superintendent or School Board”.
        "spokesperson_approver": Approver.SUPERINTENDENT_OR_BOARD,
        "tool_list_visibility": ToolListVisibility.PUBLIC,
        "policy_document": {
            "number": "460",
            "title": "Social Media",
            "version": "as published (no adoption date given)",
            "text": "Employees may not post images of students on any social media network without written parental "
            "consent, except for images of students taken in the public arena, such as at sporting events or fine "
            "arts public performances. (Excerpt of V.D.7; the Board's policy manual holds the whole text.)",
        },
        "schools": ["Willmar Senior High", "Kennedy Elementary", "Roosevelt Elementary"],
    },
    {
        "slug": "henning",
        "name": "Henning Public Schools (demo)",
        "policy_reference": "Policy 436 Employee Responsible Use of Social Media",
        "photo_model": PhotoModel.WRITTEN_CONSENT,
        "public_arena_exception": True,
        "disclosure_required": True,
        "disclosure_recipient": DisclosureRecipient.DISTRICT,
        "preferred_account_administrators": 1,
        "tool_list_visibility": ToolListVisibility.STAFF,
        "policy_document": {
            "number": "436",
            "title": "Employee Responsible Use of Social Media",
            "version": "as published (no adoption date given)",
            "text": "Employees may not post images of students on any social media network without written parental "
            "consent, except for images of students taken in the public arena. (Excerpt; the Board's policy manual "
            "holds the whole text.)",
        },
        "schools": ["Henning School"],
    },
    {
        "slug": "lakeshore",
        "name": "Lakeshore School District, Wisconsin (demo)",
        "policy_reference": "Policy 547.0 / R-547.0 Social Media",
        "photo_model": PhotoModel.OPT_OUT,
        "public_arena_exception": True,
        "min_account_administrators": 1,
        "preferred_account_administrators": 2,
        # IV.F: designated administrators "monitor and ensure compliance with this policy".
        "administrator_acknowledgement_required": True,
        "disclosure_required": True,
        "disclosure_recipient": DisclosureRecipient.SUPERVISOR,
        # guidelines to be looked at "at least annually".
        "policy_review_interval_months": 12,
        "policy_document": {
            "number": "547.0 / R-547.0",
            "title": "Social Media",
            "version": "adopted March 9, 2015",
            "adopted_on": datetime.date(2015, 3, 9),
            "text": "All registered accounts must include at least one (preferably two) designated administrators of "
            "the site to monitor and ensure compliance with this policy. (Excerpt of IV.F.)",
        },
        "schools": ["Lakeshore High", "Lakeshore Middle", "Harbor Elementary"],
    },
    {
        "slug": "bloomington",
        "name": "Bloomington Public Schools ISD 271 (demo)",
        "policy_reference": "Policy 458 Employee Use of Social Media",
        "photo_model": PhotoModel.OPT_OUT,
        "public_arena_exception": False,
        # IV.B.4: no images of students on the directory-information opt-out list; the district's own
        # social-media question is honoured too.
        "social_media_photo_lists": SocialMediaPhotoLists.BOTH,
        # Guidelines, Confidential Information: “Staff may not post student pictures … on personal online
        # social media sites.”
        "personal_site_student_photos": PersonalSitePhotos.NEVER,
        "approval_before_launch": True,
        "communications_review_before_launch": True,
        "preferred_account_administrators": 1,
        "logo_permission_required": False,
        # IV.B.5: staff "must follow District social media guidelines" for the accounts they manage.
        "administrator_acknowledgement_required": True,
        "disclosure_required": False,
        "policy_document": {
            "number": "458",
            "title": "Employee Use of Social Media",
            "version": "June 26, 2023 (revised guidelines appendix)",
            "adopted_on": datetime.date(2021, 11, 22),
            "last_reviewed_on": datetime.date(2023, 6, 26),
            "text": "Staff may not post images on any social media network of students who are on the District's "
            "directory information opt-out list. (Excerpt of IV.B.4.)",
        },
        "schools": ["Jefferson High", "Kennedy High", "Olson Middle"],
    },
    {
        "slug": "litchfield",
        "name": "Litchfield Public Schools (demo)",
        "policy_reference": "Policy 4118.51 / 4218.51 Social Media",
        "photo_model": PhotoModel.WRITTEN_CONSENT,
        "public_arena_exception": True,
        "preferred_account_administrators": 1,
        "logo_permission_required": False,
        "official_accounts_on_approved_networks_only": True,
        "disclosure_required": False,
        "policy_document": {
            "number": "4118.51 / 4218.51",
            "title": "Employee Use of Social Media",
            "version": "revised October 5, 2016",
            "adopted_on": datetime.date(2011, 1, 19),
            "last_reviewed_on": datetime.date(2016, 10, 5),
            "text": "Employees may not post images of students on any personal social media network without written "
            "parental consent, except for images of students taken in the public arena. (Excerpt.)",
        },
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
        values = {k: v for k, v in profile.items() if k not in ("slug", "schools", "policy_document")}
        district, _ = District.objects.get_or_create(slug=profile["slug"], defaults=values)
        document = dict(profile["policy_document"])
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
