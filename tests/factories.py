import datetime

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import (
    District,
    Guardian,
    Membership,
    Program,
    ProgramKind,
    Role,
    School,
    Student,
    StudentGuardian,
    User,
)

# Hash once: Argon2 is deliberately slow and tests create many users.
TEST_PASSWORD = "correct-horse-battery"
_HASHED = make_password(TEST_PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    school = factory.SubFactory(SchoolFactory)
    kind = ProgramKind.CLUB
    name = factory.Sequence(lambda n: f"Club {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    district = factory.SubFactory(DistrictFactory)
    password = _HASHED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    district = factory.LazyAttribute(lambda m: m.user.district)
    role = Role.STAFF
    school = None


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda s: s.school.district)
    sis_id = factory.Sequence(lambda n: f"S{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    grade = "08"  # within the factory tool's grades 6–12


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    district = factory.SubFactory(DistrictFactory)
    roster_sourced_id = factory.Sequence(lambda n: f"g{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"family{n}@home.example.org")
    phone = "+1 555 0199"


def guardian_of(student: Student, **kwargs: object) -> Guardian:
    """A guardian linked to `student` (a parent)."""
    guardian = GuardianFactory(district=student.district, **kwargs)
    StudentGuardian.objects.create(student=student, guardian=guardian, relationship="parent")
    return guardian


def staff_at(school: School, role: str = Role.STAFF, **kwargs: object) -> User:
    """A staff member of `school` holding `role` there (or district-wide for district roles)."""
    user = UserFactory(district=school.district, **kwargs)
    MembershipFactory(user=user, role=Role.STAFF, school=school)
    if role != Role.STAFF:
        where = None if role in (Role.DIRECTOR, Role.SUPERINTENDENT, Role.COMMUNICATIONS) else school
        MembershipFactory(user=user, role=role, school=where)
    return user


# --- Registry -------------------------------------------------------------------------------


def platform(slug: str = "instagram"):
    from registry.models import Platform

    return Platform.objects.get(slug=slug)


class SocialAccountFactory(factory.django.DjangoModelFactory):
    """An active school account with no administrators (add them with AdministratorFactory)."""

    class Meta:
        model = "registry.SocialAccount"

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda a: a.school.district if a.school else DistrictFactory())
    platform = factory.LazyFunction(platform)
    handle = factory.Sequence(lambda n: f"@school.page{n}")
    handle_key = factory.LazyAttribute(lambda a: a.handle.lstrip("@").lower())
    profile_url = factory.LazyAttribute(lambda a: f"https://www.instagram.com/{a.handle_key}/")
    display_name = factory.Sequence(lambda n: f"School page {n}")
    owner_kind = "school"
    purpose = "School news."
    status = "active"
    launched_on = datetime.date(2026, 1, 15)
    next_review_on = datetime.date(2027, 1, 15)


class AdministratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "registry.AccountAdministrator"

    account = factory.SubFactory(SocialAccountFactory)
    user = factory.LazyAttribute(lambda a: staff_at(a.account.school) if a.account.school else UserFactory())
    role = "backup"
    starts_on = datetime.date(2026, 1, 15)


class ConsentScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "consent.ConsentScope"

    district = factory.SubFactory(DistrictFactory)
    kind = "other"
    name = factory.Sequence(lambda n: f"Scope {n}")
    model = "written_consent"
    public_arena_exception = False
    renewed_each_school_year = False


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """An answer as a clerk would enter it; the school year follows the date received."""

    class Meta:
        model = "consent.ConsentRecord"

    student = factory.SubFactory(StudentFactory)
    scope = factory.SubFactory(ConsentScopeFactory, district=factory.SelfAttribute("..student.district"))
    decision = "granted"
    received_on = datetime.date(2026, 9, 3)
    received_by = "paper"
    guardian_name = "A. Parent"
    school_year = factory.LazyAttribute(
        lambda record: record.student.district.school_year_for(record.received_on).start_year
    )


# --- Approved tools and authorizations ------------------------------------------------------


class ToolFactory(factory.django.DjangoModelFactory):
    """An approved classroom tool (decided, with a review date); pass status= for others."""

    class Meta:
        model = "tools.Tool"

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Tool {n}")
    vendor = "Example Learning Inc."
    website = factory.LazyAttribute(lambda t: f"https://{t.name.lower().replace(' ', '')}.example.com/")
    category = "classroom"
    status = "approved"
    decided_as = "superintendent"
    decided_on = datetime.date(2026, 8, 1)
    next_review_on = datetime.date(2027, 8, 1)
    lowest_grade = 6
    highest_grade = 12


class ToolRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tools.ToolRequest"

    requested_by = factory.SubFactory(UserFactory)
    district = factory.LazyAttribute(lambda r: r.requested_by.district)
    tool_name = factory.Sequence(lambda n: f"Requested tool {n}")
    website = "https://tool.example.com/"
    purpose = "Students publish their science fair journals."
    students = "My two 7th-grade science classes, about 50 students."


class AuthorizationFactory(factory.django.DjangoModelFactory):
    """A request waiting for the Superintendent (authorize it through consent.services)."""

    class Meta:
        model = "authorizations.Authorization"

    program = factory.SubFactory(ProgramFactory)
    district = factory.LazyAttribute(lambda u: u.program.school.district)
    tool = factory.SubFactory(ToolFactory, district=factory.SelfAttribute("..district"))
    staff_member = factory.LazyAttribute(lambda u: staff_at(u.program.school))
    requested_by = factory.SelfAttribute("staff_member")
    purpose = "The robotics club posts build updates."
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 6, 10)
