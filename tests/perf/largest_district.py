"""One district the size of the largest US district, written straight into PostgreSQL.

`build(scale)` fills the database with 1,870 schools, 150,000 staff (plus a principal and a clerk
per school and the district-wide roles), 1,060,000 students in grades KG–12, 20,000 official
accounts with their administrators and reviews, the 2026–27 disclosure cycle with filings in
every state, a year of consent answers for every picture scope (and last year's for a quarter of
the students), clubs, teams and classes with their members, approved tools and instructional-use
authorizations whose participation consent is complete or not. Every count is multiplied by
`scale` (at least two schools).

The big tables are filled with set-based SQL (`INSERT … SELECT … FROM generate_series(…)`), so
the whole build takes a few minutes at full size; the rows whose rules live in services (the
disclosure cycle, the standard consent scopes) go through those services. Table names come from
the models, the columns the SQL reads are checked against the models before anything is written,
and every column an INSERT does not set gets the model field's default (or NULL), so a new NOT
NULL column with a default needs no change here. History tables stay empty: the bulk rows were
imported, nobody edited them.

The data is relative to 2026-11-21 (the benchmark's "today"): the cycle opened on September 1
and is due December 1, filings came in from September 1 to November 20, consent forms from
August 1 to November 20, some account reviews are overdue and some due soon.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone

from accounts.models import (
    DisclosureRecipient,
    District,
    Membership,
    Program,
    ProgramMembership,
    Role,
    School,
    Student,
    User,
)
from authorizations.models import Authorization
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from consent.services import consent_scopes_set_up
from disclosures import services as disclosure_services
from disclosures.models import DisclosedNetwork, Disclosure, DisclosureCycle
from registry import profile_urls
from registry.models import AccountAdministrator, AccountReview, Platform, SocialAccount
from tools.models import Tool, ToolRequest, ToolStatus

TODAY = datetime.date(2026, 11, 21)
PASSWORD = "bench-dashboards-2026"  # the personas' password, for a real sign-in over HTTP
DOMAIN = "largest.example.org"

# The largest US district (New York City public schools), rounded.
FULL_SIZE = {
    "schools": 1_870,
    "staff": 150_000,
    "students": 1_060_000,
    "accounts": 20_000,
    "tools": 200,
    "instructional_uses": 2_000,
}
# Elementary (KG–05), middle (06–08) and high (09–12) schools, three, one and one in five; a
# high school has about three times the students and staff of an elementary school.
KINDS = ("Elementary", "Middle", "High")
KIND_OF_INDEX = (0, 0, 0, 1, 2)
KIND_WEIGHT = (1.0, 1.6, 2.9)
GRADES = (("KG", "01", "02", "03", "04", "05"), ("06", "07", "08"), ("09", "10", "11", "12"))
CLASS_SIZE = 25
ACCOUNT_PLATFORMS = ("facebook", "instagram", "x", "youtube", "tiktok")
MARK = "424242"  # stands for the account number in the platforms' address templates

FIRST_NAMES = [
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Lucia", "Omar", "Grace", "Mateo", "Aisha", "Leo",
    "Nora", "Diego", "Hana", "Owen", "Priya", "Samuel", "Chloe", "Elijah", "Fatima", "Isaac", "Jade",
    "Kai", "Layla", "Marcus", "Nina", "Oscar", "Rosa", "Tariq", "Uma", "Victor", "Wendy", "Xavier",
    "Yara", "Zane", "Amir", "Bella", "Carlos", "Dina",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
    "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez",
    "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen",
    "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Chen", "Kim", "Patel", "Singh", "Cohen", "Okafor", "Murphy", "Rossi",
    "Kowalski", "Haddad",
]  # fmt: skip

# The tables the SQL names (as {USERS} …), from the models.
TABLES = {
    "USERS": User,
    "MEMBERSHIPS": Membership,
    "STUDENTS": Student,
    "PROGRAMS": Program,
    "PROGRAM_MEMBERSHIPS": ProgramMembership,
    "ACCOUNTS": SocialAccount,
    "USES": Authorization,
    "TOOLS": Tool,
    "DISCLOSURES": Disclosure,
    "SCOPES": ConsentScope,
}
# The tables the build fills (vacuumed and analyzed at the end).
VACUUMED: tuple[type[Model], ...] = (
    User,
    Membership,
    Student,
    Program,
    ProgramMembership,
    SocialAccount,
    AccountAdministrator,
    AccountReview,
    Disclosure,
    DisclosedNetwork,
    ConsentRecord,
    ConsentScope,
    Authorization,
)
# The columns the SQL reads by name; checked against the models before the build starts.
COLUMNS_READ: dict[type[Model], tuple[str, ...]] = {
    User: ("id", "district_id", "employee_id", "first_name", "last_name", "left_on", "is_active", "started_on"),
    Membership: ("id", "user_id", "district_id", "school_id", "role", "ended_on"),
    Student: ("id", "district_id", "school_id", "sis_id", "active"),
    Program: ("id", "school_id", "kind", "name", "roster_sourced_id"),
    ProgramMembership: ("program_id", "student_id", "user_id", "role"),
    SocialAccount: ("id", "district_id", "school_id", "launched_on", "next_review_on", "status"),
    Authorization: ("id", "district_id", "tool_id", "program_id", "purpose", "status", "participation_scope_id"),
    Tool: ("id", "name", "is_public_social_media", "parental_consent_required"),
    Disclosure: (
        "id",
        "cycle_id",
        "employee_id",
        "signed_name",
        "submitted_at",
        "state",
        "superseded_at",
        "takes_part_in_none",
    ),
    ConsentScope: ("id", "district_id", "kind", "name"),
}


def _check_columns() -> None:
    for model, columns in COLUMNS_READ.items():
        have = {f.column for f in model._meta.concrete_fields}
        missing = sorted(set(columns) - have)
        if missing:
            raise LookupError(f"{model._meta.db_table} has no columns {missing}: update tests/perf/largest_district.py")


def sql(text: str) -> str:
    """Table names in: {USERS} becomes the User model's table."""
    return text.format_map({name: connection.ops.quote_name(model._meta.db_table) for name, model in TABLES.items()})


def local(day: str, at: str) -> str:
    """A timestamptz for `day` (an SQL date expression) at `at` o'clock in the site's time zone."""
    return f"(({day}) + time '{at}') AT TIME ZONE '{settings.TIME_ZONE}'"


@dataclass(frozen=True)
class Sizes:
    schools: int
    staff: int
    students: int
    accounts: int
    tools: int
    instructional_uses: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        schools = max(2, int(FULL_SIZE["schools"] * scale))
        return cls(
            schools=schools,
            # At least a few staff and two classes' worth of students per school, at any scale.
            staff=max(4 * schools, int(FULL_SIZE["staff"] * scale)),
            students=max(2 * CLASS_SIZE * schools, int(FULL_SIZE["students"] * scale)),
            accounts=max(20, int(FULL_SIZE["accounts"] * scale)),
            tools=max(20, int(FULL_SIZE["tools"] * scale)),
            instructional_uses=max(10, int(FULL_SIZE["instructional_uses"] * scale)),
        )


@dataclass
class LargestDistrict:
    """What the benchmark needs from the build: where to point, whom to sign in as, what was built."""

    district: District
    school: School  # a high school, the largest kind
    director: User  # district-wide technology director
    principal: User  # the principal of `school`
    staff: User  # a teacher of `school` who administers one of its accounts
    cycle: DisclosureCycle
    sizes: Sizes
    seconds: float = 0.0
    steps: list[tuple[str, int, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    password: str = PASSWORD

    def persona(self, name: str) -> User:
        return getattr(self, name)


# --- INSERT … SELECT with the model's own columns and defaults --------------------------------


def link_scopes(cursor: CursorWrapper, params: dict[str, object]) -> int:
    """Each authorization names the participation scope made for it (whose name ends with its id)."""
    cursor.execute(
        sql(
            "UPDATE {USES} iu SET participation_scope_id = cs.id FROM {SCOPES} cs, {TOOLS} t, {PROGRAMS} p "
            "WHERE cs.district_id = %(district)s AND cs.kind = 'participation' AND t.id = iu.tool_id "
            "AND p.id = iu.program_id "
            "AND cs.name = left(t.name, 45) || ' with ' || left(p.name, 45) || ' (#' || iu.id || ')'"
        ),
        params,
    )
    return cursor.rowcount


def insert_select(
    cursor: CursorWrapper,
    model: type[Model],
    values: dict[str, str],
    source: str,
    params: dict[str, object] | None = None,
) -> int:
    """`INSERT INTO <model's table> (<every column>) SELECT <values…> FROM <source>`.

    `values` maps field names to SQL expressions over `source`; each column not given takes the
    field's default (or NULL where the field allows it), so NOT NULL columns are never forgotten.
    The table is analyzed afterwards. Parameters are named (`%(name)s`); write `mod(a, b)`, never
    the `%` operator. Table names are written {USERS}, {STUDENTS} … (see TABLES)."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    bound: dict[str, object] = dict(params or {})
    columns, expressions = [], []
    for name, model_field in fields.items():
        if model_field.primary_key and name not in values:
            continue
        columns.append(connection.ops.quote_name(model_field.column))
        if name in values:
            expressions.append(values[name])
            continue
        db_type = model_field.db_type(connection)
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value: object = timezone.now()
        else:
            value = model_field.get_default()
        if value is None:
            if not model_field.null:
                raise ValueError(f"{model.__name__}.{name} is NOT NULL and has no default: give it a value")
            expressions.append(f"NULL::{db_type}")
        else:
            key = f"default_{model_field.column}"
            bound[key] = model_field.get_db_prep_save(value, connection)
            expressions.append(f"CAST(%({key})s AS {db_type})")
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(
        sql(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} FROM {source}"), bound
    )
    rows = cursor.rowcount
    cursor.execute(f"ANALYZE {table}")  # the next statements join on these rows: plan them on real statistics
    return rows


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` shared in proportion to `weights` (largest remainders; every share at least 1)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [max(1, int(x)) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: int(exact[i]) - exact[i])
    for i in by_remainder[: max(0, total - sum(shares))]:
        shares[i] += 1
    return shares


def _starts(sizes: Sequence[int]) -> list[int]:
    """Where each school's block of numbers starts: number n belongs to school width_bucket(n, starts)."""
    starts, at = [], 0
    for size in sizes:
        starts.append(at)
        at += size
    return starts


Step = Callable[[str, Callable[[], int]], None]


# --- The build ----------------------------------------------------------------------------


def build(scale: float = 1.0, log: Callable[[str], None] = print) -> LargestDistrict:
    """Fills the database with one district at `scale` and returns it with its personas."""
    _check_columns()
    sizes = Sizes.scaled(scale)
    started = time.perf_counter()
    steps: list[tuple[str, int, float]] = []

    def step(name: str, run: Callable[[], int]) -> None:
        began = time.perf_counter()
        rows = run()
        steps.append((name, rows, time.perf_counter() - began))
        log(f"  {name:<36} {rows:>10,} rows {time.perf_counter() - began:7.1f} s")

    district = District.objects.create(
        name="Largest City Public Schools",
        slug="largest",
        policy_reference="Policy 547.0 Employee Use of Social Media",
        disclosure_recipient=DisclosureRecipient.SCHOOL,
        communications_review_before_launch=True,
        public_arena_exception=True,
    )
    kinds = [KIND_OF_INDEX[i % len(KIND_OF_INDEX)] for i in range(sizes.schools)]
    schools = School.objects.bulk_create(
        School(district=district, name=f"{KINDS[kind]} School {i + 1:04d}", code=f"{i + 1:04d}")
        for i, kind in enumerate(kinds)
    )
    weights = [KIND_WEIGHT[kind] for kind in kinds]
    staff_sizes = _split(sizes.staff, weights)
    student_sizes = _split(sizes.students, weights)
    typical = kinds.index(2) if 2 in kinds else 0

    director = User.objects.create_user(
        f"director@{DOMAIN}", PASSWORD, district=district, first_name="Dana", last_name="Director"
    )
    Membership.objects.create(user=director, district=district, role=Role.DIRECTOR)
    Membership.objects.create(user=director, district=district, school=schools[0], role=Role.STAFF)
    others = [
        ("superintendent", Role.SUPERINTENDENT),
        ("communications", Role.COMMUNICATIONS),
        ("press", Role.COMMUNICATIONS),
        ("deputy.director", Role.DIRECTOR),
    ]
    for name, role in others:
        person = User.objects.create_user(f"{name}@{DOMAIN}", None, district=district, last_name=name.title())
        Membership.objects.create(user=person, district=district, role=role)
    cycle = disclosure_services.disclosure_cycle_create(
        acting_user=director,
        district=district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
    )
    consent_scopes_set_up(acting_user=None, district=district)

    school_ids = [school.pk for school in schools]
    params: dict[str, object] = {
        "district": district.pk,
        "director": director.pk,
        "today": TODAY,
        "schools": school_ids,
        "nschools": len(school_ids),
        "kinds": kinds,
        "school_names": [s.name for s in schools],
        "staff": sum(staff_sizes),
        "staff_starts": _starts(staff_sizes),
        "staff_sizes": staff_sizes,
        "students": sum(student_sizes),
        "student_starts": _starts(student_sizes),
        "student_sizes": student_sizes,
        "first": FIRST_NAMES,
        "nfirst": len(FIRST_NAMES),
        "last": LAST_NAMES,
        "nlast": len(LAST_NAMES),
        "grades0": list(GRADES[0]),
        "grades1": list(GRADES[1]),
        "grades2": list(GRADES[2]),
        "class_size": CLASS_SIZE,
        "uses": sizes.instructional_uses,
        "accounts": sizes.accounts,
        "cycle": cycle.pk,
        "attestation_hash": cycle.attestation_hash,
        "domain": DOMAIN,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        cursor.execute("SET work_mem TO '256MB'")
        try:
            _people(cursor, params, step)
            _students_and_programs(cursor, params, school_ids, step)
            _accounts(cursor, params, step)
            _disclosures(cursor, params, step)
            _consent(cursor, params, district, step)
            _tools_and_authorizations(cursor, params, district, director, sizes, step)
        finally:
            cursor.execute("RESET synchronous_commit")
            cursor.execute("RESET work_mem")
        principal = User.objects.get(district=district, employee_id=f"P{typical + 1:05d}")
        principal.set_password(PASSWORD)
        principal.save(update_fields=["password"])
        # A teacher of the same school who administers one of its accounts: a staff member's home
        # page with something on it.
        administers = AccountAdministrator.objects.filter(user=OuterRef("pk"), ends_on__isnull=True)
        teacher = (
            User.objects.filter(
                district=district,
                is_active=True,
                memberships__school=schools[typical],
                memberships__role=Role.STAFF,
                memberships__ended_on__isnull=True,
            )
            .annotate(administers=Exists(administers))
            .order_by("-administers", "pk")
            .first()
        )
        assert teacher is not None, "the school has staff"  # nosec B101
        teacher.set_password(PASSWORD)
        teacher.save(update_fields=["password"])
        # Vacuum as well as analyze where we can (not inside a transaction): a database in steady
        # state has its visibility map and hint bits set, and autovacuum must not wake up on the
        # new rows in the middle of a measurement.
        began = time.perf_counter()
        if connection.in_atomic_block:
            cursor.execute("ANALYZE")
        else:
            for model in VACUUMED:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            cursor.execute("ANALYZE")
        steps.append(("vacuum and analyze", 0, time.perf_counter() - began))
        log(f"  {'vacuum and analyze':<36} {'':>10}      {time.perf_counter() - began:7.1f} s")

    built = LargestDistrict(
        district=district,
        school=schools[typical],
        director=director,
        principal=principal,
        staff=teacher,
        cycle=cycle,
        sizes=sizes,
        seconds=time.perf_counter() - started,
        steps=steps,
    )
    built.counts = row_counts(district)
    return built


def row_counts(district: District) -> dict[str, int]:
    return {
        "schools": School.objects.filter(district=district).count(),
        "staff (users)": User.objects.filter(district=district).count(),
        "roles (memberships)": Membership.objects.filter(district=district).count(),
        "students": Student.objects.filter(district=district).count(),
        "programs": Program.objects.filter(school__district=district).count(),
        "program memberships": ProgramMembership.objects.filter(program__school__district=district).count(),
        "official accounts": SocialAccount.objects.filter(district=district).count(),
        "account administrators": AccountAdministrator.objects.filter(account__district=district).count(),
        "account reviews": AccountReview.objects.filter(account__district=district).count(),
        "disclosures (versions)": Disclosure.objects.filter(cycle__district=district).count(),
        "disclosed networks": DisclosedNetwork.objects.filter(disclosure__cycle__district=district).count(),
        "consent scopes": ConsentScope.objects.filter(district=district).count(),
        "consent records": ConsentRecord.objects.filter(scope__district=district).count(),
        "tools": Tool.objects.filter(district=district).count(),
        "authorizations": Authorization.objects.filter(district=district).count(),
    }


def _people(cursor: CursorWrapper, params: dict[str, object], step: Step) -> None:
    """Staff (employee ids E000000…), a principal (P00001…) and a clerk (C00001…) per school, and
    their roles: staff at their school (one in ten at a second school too), principals and clerks
    at theirs. One in two hundred left in October (roles ended); one in fifty started after the
    cycle opened."""
    staff = {
        "email": "'staff' || g.n || '@' || %(domain)s",
        "first_name": "(%(first)s::text[])[1 + mod(g.n * 7, %(nfirst)s)]",
        "last_name": "(%(last)s::text[])[1 + mod(g.n * 13 + g.n / 101, %(nlast)s)]",
        "district": "%(district)s",
        "employee_id": "'E' || lpad(g.n::text, 6, '0')",
        "job_title": "CASE mod(g.n, 12) WHEN 0 THEN 'Counselor' WHEN 1 THEN 'Coach and Teacher' "
        "WHEN 2 THEN 'Librarian' WHEN 3 THEN 'Paraprofessional' ELSE 'Teacher' END",
        "password": "'!'",  # unusable: nobody but the personas signs in
        "is_active": "mod(g.n, 200) <> 199",
        "left_on": "CASE WHEN mod(g.n, 200) = 199 THEN date '2026-10-15' END",
        "started_on": "CASE WHEN mod(g.n, 50) = 7 THEN date '2026-09-15' + mod(g.n, 60) "
        "ELSE date '2004-08-15' + mod(g.n * 37, 8000) END",
    }
    step("staff", lambda: insert_select(cursor, User, staff, "generate_series(0, %(staff)s - 1) AS g(n)", params))
    leaders = {
        "email": "r.title || g.i || '@' || %(domain)s",
        "first_name": "(%(first)s::text[])[1 + mod(g.i * 11, %(nfirst)s)]",
        "last_name": "(%(last)s::text[])[1 + mod(g.i * 17, %(nlast)s)]",
        "district": "%(district)s",
        "employee_id": "r.code || lpad(g.i::text, 5, '0')",
        "job_title": "initcap(r.title)",
        "password": "'!'",
        "started_on": "date '2012-07-01' + mod(g.i * 41, 4000)",
    }
    each_school = (
        "generate_series(1, %(nschools)s) AS g(i) "
        "CROSS JOIN (VALUES ('P', 'principal'), ('C', 'clerk')) AS r(code, title)"
    )
    step("principals and clerks", lambda: insert_select(cursor, User, leaders, each_school, params))
    people = (
        "(SELECT u.id, u.left_on, left(u.employee_id, 1) AS code, substr(u.employee_id, 2)::int AS n, "
        "CASE WHEN left(u.employee_id, 1) = 'E' "
        "THEN width_bucket(substr(u.employee_id, 2)::int, %(staff_starts)s::int[]) "
        "ELSE substr(u.employee_id, 2)::int END AS i "
        "FROM {USERS} u WHERE u.district_id = %(district)s AND left(u.employee_id, 1) IN ('E', 'P', 'C'))"
    )
    roles = (
        f"(SELECT id, left_on, i, 'staff' AS role FROM {people} p "
        f"UNION ALL SELECT id, left_on, 1 + mod(i, %(nschools)s), 'staff' FROM {people} p "
        "WHERE code = 'E' AND mod(n, 10) = 0 AND %(nschools)s > 1 "
        f"UNION ALL SELECT id, left_on, i, CASE code WHEN 'P' THEN 'principal' ELSE 'clerk' END FROM {people} p "
        "WHERE code IN ('P', 'C')) AS m"
    )
    role = {
        "user": "m.id",
        "district": "%(district)s",
        "school": "(%(schools)s::bigint[])[m.i]",
        "role": "m.role",
        "source": "'roster'",
        "started_on": "date '2025-08-01'",
        "ended_on": "m.left_on",
    }
    step("roles", lambda: insert_select(cursor, Membership, role, roles, params))
    cursor.execute(
        sql(
            "SELECT id FROM {USERS} WHERE district_id = %(district)s AND left(employee_id, 1) = 'E' "
            "ORDER BY employee_id"
        ),
        params,
    )
    params["staff_ids"] = [row[0] for row in cursor.fetchall()]  # staff member n is staff_ids[n + 1]


def _students_and_programs(cursor: CursorWrapper, params: dict[str, object], school_ids: list[int], step: Step) -> None:
    """Students by school and grade; a club and a team per school with their members (one student
    in five, one in seven), an advisor and a coach; one class of 25 per authorization, with its
    teacher (classes come from the roster: sourced id class-<u>)."""
    in_school = "g.n - (%(student_starts)s::int[])[g.i]"
    student = {
        "district": "%(district)s",
        "school": "(%(schools)s::bigint[])[g.i]",
        "sis_id": "lpad(g.n::text, 7, '0')",
        "first_name": "(%(first)s::text[])[1 + mod(g.n * 7 + g.n / 40, %(nfirst)s)]",
        "last_name": "(%(last)s::text[])[1 + mod(g.n * 13 + g.n / 61, %(nlast)s)]",
        "grade": f"CASE (%(kinds)s::int[])[g.i] WHEN 0 THEN (%(grades0)s::text[])[1 + mod({in_school}, 6)] "
        f"WHEN 1 THEN (%(grades1)s::text[])[1 + mod({in_school}, 3)] "
        f"ELSE (%(grades2)s::text[])[1 + mod({in_school}, 4)] END",
        "active": "mod(g.n, 100) <> 99",
        "left_on": "CASE WHEN mod(g.n, 100) = 99 THEN date '2026-10-30' END",
    }
    numbered = (
        "(SELECT n, width_bucket(n, %(student_starts)s::int[]) AS i "
        "FROM generate_series(0, %(students)s - 1) AS g(n)) AS g"
    )
    step("students", lambda: insert_select(cursor, Student, student, numbered, params))
    programs = (
        "(SELECT g.i, k.kind, k.name, NULL AS sourced FROM generate_series(1, %(nschools)s) AS g(i) "
        "CROSS JOIN (VALUES ('club', 'Robotics Club'), ('team', 'Varsity Soccer')) AS k(kind, name) "
        "UNION ALL SELECT 1 + mod(u, %(nschools)s), 'class', 'Class ' || lpad(u::text, 5, '0'), 'class-' || u "
        "FROM generate_series(0, %(uses)s - 1) AS u) AS p"
    )
    program = {
        "school": "(%(schools)s::bigint[])[p.i]",
        "kind": "p.kind",
        "name": "p.name",
        "roster_sourced_id": "p.sourced",
    }
    step("programs", lambda: insert_select(cursor, Program, program, programs, params))
    cursor.execute(
        sql("SELECT school_id, kind, id FROM {PROGRAMS} WHERE school_id = ANY(%(schools)s) AND kind <> 'class'"),
        params,
    )
    by_school = {(school_id, kind): pk for school_id, kind, pk in cursor.fetchall()}
    params["clubs"] = [by_school[(pk, "club")] for pk in school_ids]
    params["teams"] = [by_school[(pk, "team")] for pk in school_ids]
    students = (
        "(SELECT s.id, s.sis_id::int AS n, k.club, k.team FROM {STUDENTS} s "
        "JOIN unnest(%(schools)s::bigint[], %(clubs)s::bigint[], %(teams)s::bigint[]) AS k(school_id, club, team) "
        "ON k.school_id = s.school_id WHERE s.district_id = %(district)s AND s.active)"
    )
    members = (
        f"(SELECT s.club AS program_id, s.id AS student_id FROM {students} s WHERE mod(s.n, 5) = 0 "
        f"UNION ALL SELECT s.team, s.id FROM {students} s WHERE mod(s.n, 7) = 3) AS m"
    )
    member = {"program": "m.program_id", "student": "m.student_id", "started_on": "date '2026-09-01'"}
    step("club and team members", lambda: insert_select(cursor, ProgramMembership, member, members, params))
    # Class u is at school 1 + u mod S and takes 25 consecutive students of it.
    enrolled = (
        "(SELECT p.id AS program_id, s.id AS student_id FROM {PROGRAMS} p "
        "CROSS JOIN LATERAL (SELECT substr(p.roster_sourced_id, 7)::int AS u) AS x "
        "CROSS JOIN LATERAL (SELECT 1 + mod(x.u, %(nschools)s) AS i) AS w "
        "CROSS JOIN generate_series(0, %(class_size)s - 1) AS j "
        "JOIN {STUDENTS} s ON s.district_id = %(district)s AND s.sis_id = lpad(("
        "(%(student_starts)s::int[])[w.i] + mod((x.u / %(nschools)s) * %(class_size)s + j, "
        "(%(student_sizes)s::int[])[w.i]))::text, 7, '0') "
        "WHERE p.school_id = ANY(%(schools)s::bigint[]) AND p.kind = 'class') AS m"
    )
    enrollment = {
        "program": "m.program_id",
        "student": "m.student_id",
        "source": "'roster'",
        "started_on": "date '2026-08-24'",
    }
    step("class enrollments", lambda: insert_select(cursor, ProgramMembership, enrollment, enrolled, params))
    staff_of_program = (
        "(SELECT p.id AS program_id, p.kind, (%(staff_ids)s::bigint[])[1 + (%(staff_starts)s::int[])[w.i] "
        "+ mod(CASE p.kind WHEN 'club' THEN 1 WHEN 'team' THEN 0 ELSE 2 + p.id END, (%(staff_sizes)s::int[])[w.i])] "
        "AS user_id FROM {PROGRAMS} p "
        "CROSS JOIN LATERAL (SELECT array_position(%(schools)s::bigint[], p.school_id) AS i) AS w "
        "WHERE p.school_id = ANY(%(schools)s::bigint[])) AS m"
    )
    leader = {
        "program": "m.program_id",
        "user": "m.user_id",
        "role": "CASE m.kind WHEN 'club' THEN 'advisor' WHEN 'team' THEN 'coach' ELSE 'teacher' END",
        "started_on": "date '2026-08-24'",
    }
    step(
        "advisors, coaches and teachers",
        lambda: insert_select(cursor, ProgramMembership, leader, staff_of_program, params),
    )


def _platform_templates() -> dict[str, object]:
    """Each platform's id, and its handle, key and address for account number MARK."""
    platforms = {p.slug: p for p in Platform.objects.filter(slug__in=ACCOUNT_PLATFORMS)}
    addresses = [profile_urls.resolve_profile(slug, handle=f"@lcps{MARK}") for slug in ACCOUNT_PLATFORMS]
    return {
        "platform_ids": [platforms[slug].pk for slug in ACCOUNT_PLATFORMS],
        "handles": [address.handle for address in addresses],
        "keys": [address.key for address in addresses],
        "urls": [address.url for address in addresses],
        "nplatforms": len(ACCOUNT_PLATFORMS),
        "mark": MARK,
    }


def _accounts(cursor: CursorWrapper, params: dict[str, object], step: Step) -> None:
    """Official accounts of the district (20), schools (40 %), clubs and teams (40 %) and staff
    (20 %): 85 % active, some suspended, retired or refused, 7 % waiting for a decision or launch.
    Reviews are spread over a year from 60 days ago, so one in six is overdue and a few are due
    within two weeks. Each has 0 to 3 current administrators from its school's staff (one in ten
    has none: below the minimum; three in ten have one: below the preferred number)."""
    params.update(_platform_templates())
    numbered = (
        "(SELECT a, i, k, h, CASE WHEN a < 20 THEN 'district' WHEN mod(a, 20) < 8 THEN 'school' "
        "WHEN mod(a, 20) < 16 THEN 'program' ELSE 'staff' END AS kind, "
        "CASE WHEN h < 85 THEN 'active' WHEN h < 88 THEN 'suspended' WHEN h < 92 THEN 'requested' "
        "WHEN h < 93 THEN 'awaiting_communications' WHEN h < 95 THEN 'approved' WHEN h < 98 THEN 'retired' "
        "ELSE 'rejected' END AS status, "
        "(%(staff_ids)s::bigint[])[1 + (%(staff_starts)s::int[])[i] + mod(a, (%(staff_sizes)s::int[])[i])] "
        "AS staffer, date '2019-08-01' + mod(a * 13, 2500) AS launched "
        "FROM (SELECT a, 1 + mod(a * 7, %(nschools)s) AS i, 1 + mod(a, %(nplatforms)s) AS k, mod(a * 37, 100) AS h "
        "FROM generate_series(0, %(accounts)s - 1) AS a) AS x) AS g"
    )
    live = "g.status IN ('active', 'suspended')"
    decided = "g.status NOT IN ('requested', 'awaiting_communications')"
    school_name = "(%(school_names)s::text[])[g.i]"
    account = {
        "district": "%(district)s",
        "platform": "(%(platform_ids)s::bigint[])[g.k]",
        "handle": "replace((%(handles)s::text[])[g.k], %(mark)s, g.a::text)",
        "handle_key": "replace((%(keys)s::text[])[g.k], %(mark)s, g.a::text)",
        "profile_url": "replace((%(urls)s::text[])[g.k], %(mark)s, g.a::text)",
        "display_name": f"CASE g.kind WHEN 'district' THEN 'Largest City Public Schools ' || g.a "
        f"WHEN 'school' THEN {school_name} "
        f"WHEN 'program' THEN {school_name} || CASE WHEN mod(g.a, 2) = 0 THEN ' Robotics Club' "
        "ELSE ' Varsity Soccer' END "
        f"ELSE 'Coach ' || (%(last)s::text[])[1 + mod(g.a, %(nlast)s)] || ' (' || {school_name} || ')' END",
        "owner_kind": "g.kind",
        "school": "CASE WHEN g.kind <> 'district' THEN (%(schools)s::bigint[])[g.i] END",
        "program": "CASE WHEN g.kind = 'program' THEN CASE WHEN mod(g.a, 2) = 0 "
        "THEN (%(clubs)s::bigint[])[g.i] ELSE (%(teams)s::bigint[])[g.i] END END",
        "owner_staff": "CASE WHEN g.kind = 'staff' THEN g.staffer END",
        "purpose": "'News, events and celebrations for families and the community.'",
        "audience": "CASE WHEN mod(g.a, 3) = 0 THEN 'families' ELSE 'community' END",
        "status": "g.status",
        "login_email": "'social' || g.a || '@' || %(domain)s",
        "recovery_method": "'password_manager'",
        "recovery_notes": "'Technology office password manager, shared vault Social.'",
        "requested_by": "g.staffer",
        "requested_at": local(
            f"CASE WHEN {decided} THEN g.launched - 21 ELSE %(today)s::date - mod(g.a, 30) END", "10:30"
        ),
        "decided_by": f"CASE WHEN {decided} THEN %(director)s::bigint END",
        "decided_at": f"CASE WHEN {decided} THEN {local('g.launched - 7', '14:00')} END",
        "decision_reason": "CASE WHEN g.status = 'rejected' THEN 'The school already has an account there.' "
        "ELSE '' END",
        "communications_confirmed_by": f"CASE WHEN {decided} THEN %(director)s::bigint END",
        "communications_confirmed_at": f"CASE WHEN {decided} THEN {local('g.launched - 8', '11:00')} END",
        "launched_on": f"CASE WHEN {live} OR g.status = 'retired' THEN g.launched END",
        "next_review_on": f"CASE WHEN {live} THEN %(today)s::date - 60 + mod(g.a * 53, 365) END",
        "status_reason": "CASE WHEN g.status = 'suspended' THEN 'Administrator on leave.' "
        "WHEN g.status = 'retired' THEN 'The club closed.' ELSE '' END",
    }
    step("official accounts", lambda: insert_select(cursor, SocialAccount, account, numbered, params))
    count = "CASE WHEN mod(a.id, 10) = 0 THEN 0 WHEN mod(a.id, 10) < 4 THEN 1 WHEN mod(a.id, 10) < 8 THEN 2 ELSE 3 END"
    administrators = (
        "(SELECT a.id AS account_id, m.user_id, m.k - mod(a.id, 7) AS rn, "
        "coalesce(a.launched_on, date '2026-09-01') AS since FROM {ACCOUNTS} a "
        "JOIN (SELECT user_id, school_id, row_number() OVER (PARTITION BY school_id ORDER BY id) AS k "
        "FROM {MEMBERSHIPS} WHERE district_id = %(district)s AND role = 'staff' AND ended_on IS NULL) AS m "
        "ON m.school_id = coalesce(a.school_id, (%(schools)s::bigint[])[1]) "
        "WHERE a.district_id = %(district)s AND a.status <> 'rejected' "
        f"AND m.k > mod(a.id, 7) AND m.k <= mod(a.id, 7) + {count}) AS x"
    )
    administrator = {
        "account": "x.account_id",
        "user": "x.user_id",
        "role": "CASE WHEN x.rn = 1 THEN 'primary' ELSE 'backup' END",
        "starts_on": "x.since",
        "policy_acknowledged_on": "x.since",
        "added_by": "%(director)s",
    }
    step(
        "account administrators",
        lambda: insert_select(cursor, AccountAdministrator, administrator, administrators, params),
    )
    review = {
        "account": "a.id",
        "reviewed_by": "%(director)s",
        "reviewed_on": "a.next_review_on - 365",
        "outcome": "'recertified'",
        "administrators_confirmed": "true",
        "purpose_confirmed": "true",
        "follows_policy": "true",
        "created_at": local("a.next_review_on - 365", "15:00"),
    }
    reviewed = (
        "{ACCOUNTS} a WHERE a.district_id = %(district)s AND a.next_review_on IS NOT NULL "
        "AND a.next_review_on - 365 > a.launched_on AND a.next_review_on - 365 <= %(today)s::date"
    )
    step("account reviews", lambda: insert_select(cursor, AccountReview, review, reviewed, params))


def _disclosures(cursor: CursorWrapper, params: dict[str, object], step: Step) -> None:
    """The 2026–27 cycle: 15 % to 40 % of each school's staff not started (about 25 % over the
    district), the others filed from September 1 to November 20 (a surge in the first weeks, a
    second wave from mid-October as reminders go out). Of every 20 who started: 11 accepted (one of them signed an
    older attestation, one amending with a draft version 2), 4 waiting for review, 1 returned,
    1 resubmitted (version 2 over a returned version 1), 3 with a draft. A quarter list a network."""
    starters = (
        "(SELECT u.id, u.first_name || ' ' || u.last_name AS name, mod(u.id * 13, 20) AS c, "
        # The filing day after September 1: two in three early (a quadratic surge), one in three
        # from mid-October (the reminders).
        "(CASE WHEN mod(u.id, 3) = 0 THEN 45 + mod(u.id * 31, 36) "
        "ELSE floor(45 * power(mod(u.id * 7919, 1000) / 1000.0, 2)) END)::int AS day "
        "FROM {USERS} u WHERE u.district_id = %(district)s AND u.is_active "
        "AND (u.started_on IS NULL OR u.started_on <= %(today)s::date) "
        # Not started: 3 to 8 in 20 by school (5 in 20 for principals, clerks and the office).
        "AND mod(abs(hashint8(u.id)::bigint), 20) >= CASE WHEN left(u.employee_id, 1) = 'E' "
        "THEN 3 + mod(width_bucket(substr(u.employee_id, 2)::int, %(staff_starts)s::int[]) * 7, 6) ELSE 5 END"
        ") AS w"
    )
    filed_day = local("date '2026-09-01' + w.day", "08:00")
    filed_at = f"({filed_day} + mod(w.id, 600) * interval '1 minute')"
    # Decisions and resubmissions follow the filing by days, but never later than last evening.
    evening = local("date '2026-11-20'", "23:00")
    decided_at = f"least({filed_at} + interval '3 days', {evening})"
    resubmitted_at = f"least({filed_at} + interval '7 days', {evening} + interval '30 minutes')"
    filed = "w.c NOT IN (15, 16, 17)"
    decided = "w.c < 9 OR w.c IN (13, 14, 18, 19)"
    disclosure = {
        "cycle": "%(cycle)s",
        "employee": "w.id",
        "version": "1",
        "state": "CASE WHEN w.c < 9 OR w.c IN (18, 19) THEN 'accepted' WHEN w.c < 13 THEN 'submitted' "
        "WHEN w.c IN (13, 14) THEN 'returned' ELSE 'draft' END",
        "takes_part_in_none": "mod(w.id, 4) <> 0",
        "signed_name": f"CASE WHEN {filed} THEN w.name ELSE '' END",
        "signed_at": f"CASE WHEN {filed} THEN {filed_at} END",
        # One in twenty signed the attestation before its text changed.
        "attestation_hash": f"CASE WHEN w.c = 19 THEN repeat('0', 64) WHEN {filed} THEN %(attestation_hash)s "
        "ELSE '' END",
        "submitted_at": f"CASE WHEN {filed} THEN {filed_at} END",
        # Version 1 of a resubmission was superseded when version 2 came in, a week later at most.
        "superseded_at": f"CASE WHEN w.c = 14 THEN {resubmitted_at} END",
        "decided_by": f"CASE WHEN {decided} THEN %(director)s::bigint END",
        "decided_at": f"CASE WHEN {decided} THEN {decided_at} END",
        "created_at": f"{filed_at} - interval '1 day'",
        "updated_at": f"CASE WHEN {decided} THEN {decided_at} ELSE {filed_at} END",
    }
    step("disclosures", lambda: insert_select(cursor, Disclosure, disclosure, starters, params))
    # Version 2: resubmitted after a return (c = 14), or a draft amending an accepted filing (c = 18).
    first_versions = (
        "(SELECT d.id, d.employee_id, d.signed_name, d.submitted_at, d.superseded_at "
        "FROM {DISCLOSURES} d WHERE d.cycle_id = %(cycle)s "
        "AND (d.superseded_at IS NOT NULL OR (d.state = 'accepted' AND mod(d.employee_id * 13, 20) = 18))) AS v"
    )
    resubmitted = "v.superseded_at IS NOT NULL"
    second = {
        "cycle": "%(cycle)s",
        "employee": "v.employee_id",
        "version": "2",
        "amends": "v.id",
        "state": f"CASE WHEN {resubmitted} THEN 'resubmitted' ELSE 'draft' END",
        "takes_part_in_none": "true",
        "signed_name": f"CASE WHEN {resubmitted} THEN v.signed_name ELSE '' END",
        "signed_at": "v.superseded_at",
        "attestation_hash": f"CASE WHEN {resubmitted} THEN %(attestation_hash)s ELSE '' END",
        "submitted_at": "v.superseded_at",
        "created_at": f"least(v.submitted_at + interval '5 days', {evening})",
        "updated_at": f"coalesce(v.superseded_at, least(v.submitted_at + interval '5 days', {evening}))",
    }
    step("disclosure second versions", lambda: insert_select(cursor, Disclosure, second, first_versions, params))
    network = {
        "disclosure": "d.id",
        "platform": "CASE mod(d.id, 3) WHEN 0 THEN 'facebook' WHEN 1 THEN 'groupme' ELSE 'discord' END",
        "name": "'Parents of room ' || mod(d.id, 40)",
        "run_by": "CASE WHEN mod(d.id, 2) = 0 THEN 'parents' ELSE 'student_group' END",
        "part": "'member'",
        "students_are_members": "CASE WHEN mod(d.id, 2) = 0 THEN 'no' ELSE 'yes' END",
    }
    listing = "{DISCLOSURES} d WHERE d.cycle_id = %(cycle)s AND NOT d.takes_part_in_none"
    step("disclosed networks", lambda: insert_select(cursor, DisclosedNetwork, network, listing, params))


def _consent(cursor: CursorWrapper, params: dict[str, object], district: District, step: Step) -> None:
    """For every picture scope: 90 % of students answered this school year (received August 1 to
    November 20, most in the first weeks), 8 % refused, 2 % granted then withdrew in October or
    November; a quarter of the students also have last year's answer."""
    scopes = ConsentScope.objects.filter(district=district, active=True).exclude(kind=ScopeKind.PARTICIPATION)
    params["scope_ids"] = list(scopes.order_by("position").values_list("pk", flat=True))
    students = (
        "(SELECT s.id, s.sis_id::bigint AS n, sc.id AS scope, "
        "mod(s.sis_id::bigint * 7919 + sc.pos * 104729, 1000) AS h, "
        "mod(s.sis_id::bigint * 31 + sc.pos * 17, 997) / 997.0 AS u "
        "FROM {STUDENTS} s CROSS JOIN unnest(%(scope_ids)s::bigint[]) WITH ORDINALITY AS sc(id, pos) "
        "WHERE s.district_id = %(district)s) AS s"
    )
    answers = (
        # This year's answer, or the grant a withdrawal follows.
        "(SELECT s.id, s.scope, 2026 AS year, CASE WHEN s.h < 180 THEN 'refused' ELSE 'granted' END AS decision, "
        "CASE WHEN s.h >= 180 AND s.h < 200 THEN date '2026-08-01' + floor(40 * s.u)::int "
        "ELSE date '2026-08-01' + floor(111 * power(s.u, 2))::int END AS received, s.n "
        f"FROM {students} WHERE s.h >= 100 "
        # The withdrawal.
        "UNION ALL SELECT s.id, s.scope, 2026, 'withdrawn', date '2026-10-01' + floor(50 * s.u)::int, s.n "
        f"FROM {students} WHERE s.h >= 180 AND s.h < 200 "
        # Last year's answer.
        "UNION ALL SELECT s.id, s.scope, 2025, CASE WHEN s.h < 150 THEN 'refused' ELSE 'granted' END, "
        "date '2025-08-01' + floor(60 * s.u)::int, s.n "
        f"FROM {students} WHERE mod(s.n, 4) = 0) AS r"
    )
    record = {
        "student": "r.id",
        "scope": "r.scope",
        "school_year": "r.year",
        "decision": "r.decision",
        "received_on": "r.received",
        "received_by": "CASE mod(r.n, 3) WHEN 0 THEN 'paper' WHEN 1 THEN 'online' ELSE 'email' END",
        "guardian_name": "'Parent of ' || r.n",
        "recorded_at": local("r.received + 1", "09:00"),
    }
    step("consent records", lambda: insert_select(cursor, ConsentRecord, record, answers, params))


def _tools_and_authorizations(
    cursor: CursorWrapper,
    params: dict[str, object],
    district: District,
    director: User,
    sizes: Sizes,
    step: Step,
) -> None:
    """Tools (one in five needs parental consent, one in ten is a public network, one in nine not
    approved), an authorization per class (one in ten still waiting), participation consent for
    those that need it: every family answered in two classes of three, one in fifty refused."""
    statuses = [ToolStatus.APPROVED] * 6 + [ToolStatus.APPROVED_WITH_CONDITIONS] * 2 + [ToolStatus.NOT_APPROVED]
    tools = Tool.objects.bulk_create(
        Tool(
            district=district,
            name=f"Tool {n:04d}",
            vendor=f"Vendor {n % 60}",
            status=statuses[n % len(statuses)],
            conditions="Class accounts only." if statuses[n % len(statuses)] == "approved_with_conditions" else "",
            decided_on=datetime.date(2026, 6, 1),
            decided_as="superintendent",
            decided_by=director,
            is_public_social_media=n % 10 == 0,
            parental_consent_required=n % 5 == 0,
            privacy_agreement_on_file=n % 3 == 0,
            privacy_agreement_expires_on=TODAY + datetime.timedelta(days=n % 365) if n % 3 == 0 else None,
            next_review_on=TODAY + datetime.timedelta(days=(n * 7) % 400 - 30),
            lowest_grade=n % 10,
            highest_grade=12,
        )
        for n in range(sizes.tools)
    )
    usable = [tool for tool in tools if tool.is_usable]
    consent_tools = [tool.pk for tool in usable if tool.needs_participation_consent]
    plain_tools = [tool.pk for tool in usable if not tool.needs_participation_consent]
    params.update(
        consent_tools=consent_tools,
        plain_tools=plain_tools,
        nconsent_tools=len(consent_tools),
        nplain_tools=len(plain_tools),
    )
    ToolRequest.objects.bulk_create(
        ToolRequest(district=district, requested_by=director, tool_name=f"New tool {n}", purpose="Projects.",
                    students="Grade 7")
        for n in range(max(5, sizes.tools // 4))
    )  # fmt: skip
    classes = (
        "(SELECT p.id, substr(p.roster_sourced_id, 7)::int AS u, pm.user_id AS teacher "
        "FROM {PROGRAMS} p JOIN {PROGRAM_MEMBERSHIPS} pm ON pm.program_id = p.id AND pm.role = 'teacher' "
        "WHERE p.school_id = ANY(%(schools)s::bigint[]) AND p.kind = 'class') AS c"
    )
    authorized = "mod(c.u, 10) <> 0"
    decided_on = local("date '2026-09-20' + mod(c.u, 30)", "16:00")
    authorization = {
        "district": "%(district)s",
        "tool": "CASE WHEN mod(c.u, 4) <> 0 THEN (%(consent_tools)s::bigint[])[1 + mod(c.u, %(nconsent_tools)s)] "
        "ELSE (%(plain_tools)s::bigint[])[1 + mod(c.u, %(nplain_tools)s)] END",
        "program": "c.id",
        "staff_member": "c.teacher",
        "requested_by": "c.teacher",
        "requested_at": local("date '2026-08-20' + mod(c.u, 30)", "10:00"),
        "purpose": "'Class project.'",
        "starts_on": "date '2026-09-01'",
        "ends_on": "date '2027-06-10'",
        "status": f"CASE WHEN {authorized} THEN 'authorized' ELSE 'requested' END",
        "decided_by": f"CASE WHEN {authorized} THEN %(director)s::bigint END",
        "decided_as": f"CASE WHEN {authorized} THEN 'superintendent' ELSE '' END",
        "decided_at": f"CASE WHEN {authorized} THEN {decided_on} END",
    }
    step("authorizations", lambda: insert_select(cursor, Authorization, authorization, classes, params))
    scope = {
        "district": "%(district)s",
        "kind": "'participation'",
        "name": "left(t.name, 45) || ' with ' || left(p.name, 45) || ' (#' || iu.id || ')'",
        "description": "left('May your child take part in ' || t.name || ' with ' || p.name || ': ' "
        "|| iu.purpose, 300)",
        "model": "'written_consent'",
        "position": "1000",
    }
    needing_consent = (
        "{USES} iu JOIN {TOOLS} t ON t.id = iu.tool_id JOIN {PROGRAMS} p ON p.id = iu.program_id "
        "WHERE iu.district_id = %(district)s AND iu.status = 'authorized' "
        "AND (t.is_public_social_media OR t.parental_consent_required)"
    )
    step("participation scopes", lambda: insert_select(cursor, ConsentScope, scope, needing_consent, params))
    step("scopes linked to their authorizations", lambda: link_scopes(cursor, params))
    answer = {
        "student": "pm.student_id",
        "scope": "cs.id",
        "school_year": "2026",
        "decision": "CASE WHEN mod(pm.student_id, 50) = 0 THEN 'refused' ELSE 'granted' END",
        "received_on": "date '2026-09-22' + mod(pm.student_id, 50)::int",
        "received_by": "'online'",
        "recorded_at": local("date '2026-09-23' + mod(pm.student_id, 50)::int", "09:00"),
    }
    families = (
        "{SCOPES} cs JOIN {USES} iu ON iu.participation_scope_id = cs.id "
        "JOIN {PROGRAM_MEMBERSHIPS} pm ON pm.program_id = iu.program_id AND pm.student_id IS NOT NULL "
        "WHERE cs.district_id = %(district)s AND cs.kind = 'participation' "
        "AND NOT (mod(iu.id, 3) = 0 AND mod(pm.student_id, 10) = 0)"
    )
    step("participation consent records", lambda: insert_select(cursor, ConsentRecord, answer, families, params))
