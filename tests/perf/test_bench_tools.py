"""Benchmark: the approved-tool list and authorizations to use a tool with students at the largest US district's size.

Run by `make bench` (never by a normal test run). Builds 2,000 tools and 5,000 authorizations, each
with a class of 25 enrolled students (125,000 students) whose families answered in every way, then
prints milliseconds and queries for the tool list, its search, the public list, the request queue, the
authorization list and an authorization's page, and the time of the questions reminders and
dashboards ask (authorizations not ready, reviews due, agreements expiring). BENCH_SCALE scales it.
"""

from __future__ import annotations

import datetime
import os
import time

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accounts.models import Program, ProgramKind, ProgramMembership, School, Student, ToolListVisibility
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization, AuthorizationStatus
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from tests.pages import timed
from tools import selectors as tool_selectors
from tools.models import Tool, ToolRequest, ToolStatus

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
TOOLS = max(20, int(2_000 * SCALE))
AUTHORIZATIONS = max(20, int(5_000 * SCALE))
CLASS_SIZE = 25
SCHOOLS = max(2, int(1_800 * SCALE))
RUNS = 5
BATCH = 2_000
TODAY = datetime.date(2026, 11, 21)
STATUSES = [ToolStatus.APPROVED] * 6 + [ToolStatus.APPROVED_WITH_CONDITIONS] * 2 + [ToolStatus.NOT_APPROVED]


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def _tools(world) -> list[Tool]:
    return Tool.objects.bulk_create(
        Tool(
            district=world.district,
            name=f"Tool {n:05d}",
            vendor=f"Vendor {n % 300}",
            status=STATUSES[n % len(STATUSES)],
            conditions="Class accounts only." if STATUSES[n % len(STATUSES)] == "approved_with_conditions" else "",
            decided_on=TODAY,
            decided_as="superintendent",
            is_public_social_media=n % 10 == 0,
            parental_consent_required=n % 5 == 0,
            privacy_agreement_on_file=n % 3 == 0,
            privacy_agreement_expires_on=TODAY + datetime.timedelta(days=n % 365) if n % 3 == 0 else None,
            next_review_on=TODAY + datetime.timedelta(days=(n * 7) % 400 - 30),
            lowest_grade=n % 10,
            highest_grade=12,
        )
        for n in range(TOOLS)
    )


def _authorizations(world, tools: list[Tool], schools: list[School]) -> None:
    consent_tools = [tool for tool in tools if tool.status != "not_approved" and tool.parental_consent_required]
    plain_tools = [tool for tool in tools if tool.status != "not_approved" and not tool.parental_consent_required]
    student_number = 0
    for start in range(0, AUTHORIZATIONS, BATCH):
        numbers = range(start, min(start + BATCH, AUTHORIZATIONS))
        programs = Program.objects.bulk_create(
            Program(school=schools[n % len(schools)], kind=ProgramKind.CLASS, name=f"Class {n:05d}") for n in numbers
        )
        authorizations = Authorization.objects.bulk_create(
            Authorization(
                district=world.district,
                tool=consent_tools[n % len(consent_tools)] if n % 4 else plain_tools[n % len(plain_tools)],
                program=program,
                staff_member=world.staff,
                requested_by=world.staff,
                purpose="Class project.",
                starts_on=datetime.date(2026, 9, 1),
                ends_on=datetime.date(2027, 6, 10),
                status=AuthorizationStatus.REQUESTED if n % 10 == 0 else AuthorizationStatus.AUTHORIZED,
                decided_as="" if n % 10 == 0 else "superintendent",
            )
            for n, program in zip(numbers, programs, strict=True)
        )
        consenting = [
            authorization for n, authorization in zip(numbers, authorizations, strict=True) if n % 4 and n % 10
        ]
        scopes = ConsentScope.objects.bulk_create(
            ConsentScope(
                district=world.district,
                kind=ScopeKind.PARTICIPATION,
                name=f"Participation #{authorization.pk}",
                model="written_consent",
            )
            for authorization in consenting
        )
        for authorization, scope in zip(consenting, scopes, strict=True):
            authorization.participation_scope = scope
        Authorization.objects.bulk_update(consenting, ["participation_scope"])
        scope_of = {authorization.pk: authorization.participation_scope for authorization in consenting}
        students, memberships, records = [], [], []
        for program in programs:
            for _seat in range(CLASS_SIZE):
                student_number += 1
                students.append(
                    Student(
                        district=world.district,
                        school_id=program.school_id,
                        sis_id=f"B{student_number:07d}",
                        first_name=f"First{student_number}",
                        last_name=f"Last{student_number:07d}",
                        grade="07",
                    )
                )
        Student.objects.bulk_create(students, batch_size=5_000)
        for index, (authorization, program) in enumerate(zip(authorizations, programs, strict=True)):
            scope = scope_of.get(authorization.pk)
            for seat in range(CLASS_SIZE):
                student = students[index * CLASS_SIZE + seat]
                memberships.append(ProgramMembership(program=program, student=student))
                # Most classes complete; one in three misses a family or two.
                if scope is not None and not (index % 3 == 0 and seat < 2):
                    records.append(
                        ConsentRecord(
                            student=student,
                            scope=scope,
                            school_year=2026,
                            decision="granted",
                            received_on=TODAY - datetime.timedelta(days=seat),
                            received_by="paper",
                        )
                    )
        ProgramMembership.objects.bulk_create(memberships, batch_size=5_000)
        ConsentRecord.objects.bulk_create(records, batch_size=5_000)


def test_tools_and_authorizations_at_the_largest_district(client, world, today):
    world.district.tool_list_visibility = ToolListVisibility.PUBLIC
    world.district.save()
    more = School.objects.bulk_create(
        School(district=world.district, name=f"School {n:04d}") for n in range(SCHOOLS - 1)
    )
    schools = [world.school, *more]
    started = time.perf_counter()
    tools = _tools(world)
    _authorizations(world, tools, schools)
    ToolRequest.objects.bulk_create(
        ToolRequest(
            district=world.district,
            requested_by=world.staff,
            tool_name=f"New tool {n}",
            purpose="Projects.",
            students="Grade 7",
        )
        for n in range(200)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    print(
        f"\n{TOOLS:,} tools, {AUTHORIZATIONS:,} authorizations, {AUTHORIZATIONS * CLASS_SIZE:,} enrolled students "
        f"on {connection.vendor} (built in {time.perf_counter() - started:.0f} s)"
    )
    sample = Authorization.objects.filter(status="authorized", participation_scope__isnull=False).order_by("pk").first()
    pages = [
        ("staff", "tool list", reverse("tools:tool_list")),
        ("staff", "tool search", reverse("tools:tool_list") + "?q=Vendor+12"),
        (None, "public tool list", reverse("tools:public_tool_list", args=[world.district.slug])),
        ("superintendent", "tool requests queue", reverse("tools:request_list")),
        ("superintendent", "authorization list", reverse("authorizations:list")),
        ("superintendent", "authorization page", reverse("authorizations:detail", args=[sample.pk])),
    ]
    for persona, name, url in pages:
        if persona is None:
            client.logout()
        else:
            client.force_login(world.persona(persona))
        median, captured = timed(client, url, RUNS)
        print(f"  {name:<28} median {median:7.0f} ms   {len(captured):3d} queries")
    district_tools = tool_selectors.tools_of(world.district.pk)
    authorizations = Authorization.objects.filter(district=world.district)
    questions = [
        (
            "authorizations not ready",
            lambda: authorization_selectors.authorizations_not_ready(authorizations, today).count(),
        ),
        ("tool reviews due in 14 days", lambda: tool_selectors.tool_reviews_due(district_tools, 14, today).count()),
        (
            "agreements expiring in 30 days",
            lambda: tool_selectors.privacy_agreements_expiring(district_tools, 30).count(),
        ),
        ("tool requests waiting", lambda: tool_selectors.tool_requests_waiting(world.district.pk).count()),
    ]
    for name, question in questions:
        started = time.perf_counter()
        answer = question()
        print(f"  {name:<32} {(time.perf_counter() - started) * 1000:7.0f} ms   {answer:,}")
