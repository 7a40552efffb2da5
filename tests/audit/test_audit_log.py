"""The district's audit log: who may read it, the period it covers (local dates, both included),
what each entry says, the CSV export, and a fixed number of queries whatever its length."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.selectors import Period, audit_entries, audit_page, district_sources
from consent import services as consent_services
from registry import services as registry_services
from tests.audit.conftest import NOW, TODAY, new_tool, request_account, social_scope
from tests.factories import StudentFactory
from tools import services as tool_services

LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def log_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("audit:log", args=[world.district.slug]) + (f"?{query}" if query else "")


def export_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("audit:export", args=[world.district.slug]) + (f"?{query}" if query else "")


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def local(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LOCAL)


# --- Who may read it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("superintendent", 200),
        ("communications", 403),
        ("principal", 403),
        ("clerk", 403),
        ("staff", 403),
        ("foreign_director", 404),
        ("foreign_principal", 404),
    ],
)
def test_it_opens_the_log_and_its_export_to_the_districts_director_and_superintendent_only(
    client, world, clock, persona, status
):
    client.force_login(world.persona(persona))

    assert client.get(log_url(world)).status_code == status
    assert client.get(export_url(world)).status_code == status


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world):
    for url in (log_url(world), export_url(world)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_links_the_log_from_the_navigation_and_the_district_page_for_leadership_only(client, world, clock):
    district_page = reverse("district_detail", args=[world.district.slug])
    for persona, shown in (("director", True), ("superintendent", True), ("principal", False), ("staff", False)):
        client.force_login(world.persona(persona))
        assert (log_url(world) in client.get(reverse("school_list")).text) is shown, persona
        assert (log_url(world) in client.get(district_page).text) is shown, persona


# --- The period --------------------------------------------------------------------------------------


def test_it_shows_the_last_30_days_by_default(client, world, clock):
    client.force_login(world.director)

    response = client.get(log_url(world))

    assert response.context["period"] == Period(TODAY - datetime.timedelta(days=29), TODAY)
    assert 'value="2026-10-23"' in response.text and 'value="2026-11-21"' in response.text


def test_it_counts_the_first_and_the_last_day_whole_in_the_districts_time_zone(client, world, clock):
    first, last = datetime.date(2026, 11, 2), datetime.date(2026, 11, 6)
    moments = {
        "before": local(first, 0) - datetime.timedelta(seconds=1),
        "first thing": local(first, 0, 0, 30),
        "last thing": local(last, 23, 59, 59),
        "after": local(last, 0) + datetime.timedelta(days=1),
    }
    for name, moment in moments.items():
        clock.move_to(moment)
        new_tool(world, name=name)
    clock.move_to(NOW)
    client.force_login(world.director)

    page = client.get(log_url(world, **{"from": first.isoformat(), "until": last.isoformat()}))
    export = client.get(export_url(world, **{"from": first.isoformat(), "until": last.isoformat()}))

    assert [e.name for e in page.context["history"].entries] == ["last thing", "first thing"]
    rows = rows_of(export)
    assert [row[5] for row in rows[1:]] == ["last thing", "first thing"]
    assert rows[1][0] == "2026-11-06 23:59:59"  # local time, as the district reads it


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-40"}, "Enter a date such as 2026-09-01."),
        ({"until": "yesterday"}, "Enter a date such as 2026-09-01."),
        ({"from": "2026-11-10", "until": "2026-11-01"}, "The end date is before the start date"),
        ({"from": "2025-01-01", "until": "2026-11-21"}, "Choose at most 366 days at a time"),
        ({"from": "0001-01-01", "until": "0001-01-02"}, "Choose a date between 1900 and 2999."),
        ({"until": "9999-12-31"}, "Choose a date between 1900 and 2999."),
    ],
)
def test_it_explains_a_period_it_cannot_show_and_never_fails(client, world, clock, params, message):
    client.force_login(world.director)

    page = client.get(log_url(world, **params))
    export = client.get(export_url(world, **params))

    assert page.status_code == export.status_code == 400
    assert message in page.text and message in export.content.decode()


def test_it_takes_a_whole_year_and_a_period_given_by_one_end(client, world, clock):
    client.force_login(world.director)

    year = client.get(log_url(world, **{"from": "2025-11-21", "until": "2026-11-21"}))
    ending = client.get(log_url(world, until="2026-11-01"))

    assert year.status_code == 200
    assert ending.context["period"] == Period(datetime.date(2026, 10, 3), datetime.date(2026, 11, 1))


# --- What an entry says -----------------------------------------------------------------------------


def test_it_says_who_when_what_and_the_changes_newest_first(client, world, clock):
    account = request_account(world)
    clock.shift(datetime.timedelta(minutes=5))
    registry_services.account_approve(acting_user=world.director, account=account)
    client.force_login(world.superintendent)

    entries = client.get(log_url(world)).context["history"].entries

    approved = entries[0]
    assert (approved.when, approved.who, approved.who_email, approved.action) == (
        NOW + datetime.timedelta(minutes=5),
        world.director.full_name,
        world.director.email,
        "changed",
    )
    assert (approved.kind, approved.name, approved.school) == (
        "Official account",
        "North High Band (Instagram)",
        "North High",
    )
    assert "Status: Awaiting approval → Approved, not yet active" in [str(c) for c in approved.changes]
    assert {(e.kind, e.action, e.who) for e in entries[1:]} == {
        ("Official account", "created", world.staff.full_name),
        ("Account administrator", "created", world.staff.full_name),
    }


def test_it_keeps_other_districts_out(client, world, clock):
    from tests.factories import ToolFactory

    ToolFactory(district=world.other_district, name="Southern secret")
    new_tool(world, name="Northern tool")
    client.force_login(world.director)

    names = [e.name for e in client.get(log_url(world)).context["history"].entries]
    csv_names = [row[5] for row in rows_of(client.get(export_url(world)))[1:]]

    assert "Northern tool" in names and "Northern tool" in csv_names
    assert "Southern secret" not in names and "Southern secret" not in csv_names


def test_a_report_of_a_fake_page_is_listed_without_what_the_reporter_wrote_or_their_contact(client, world, clock):
    registry_services.fake_report_submit(
        acting_user=None,
        district=world.district,
        address="https://www.instagram.com/north_high_fake/",
        problem="impersonation",
        details="It posts photos of Wrenna Quillfeather from the spring concert.",
        reporter_contact="worried.parent@example.com",
    )
    client.force_login(world.superintendent)

    page = client.get(log_url(world)).content.decode()
    export = str(rows_of(client.get(export_url(world))))

    assert "Report of a page claiming to be ours" in page and "north_high_fake" in page
    for withheld in ("Wrenna", "worried.parent@example.com"):
        assert withheld not in page and withheld not in export


def test_it_lists_consent_answers_by_student_name_and_id_only(client, world, clock):
    scope = social_scope(world)
    pupil = StudentFactory(school=world.school, first_name="Robin", last_name="Reyes", sis_id="N1001", grade="07")
    consent_services.consent_record(
        acting_user=world.clerk,
        student=pupil,
        scope=scope,
        decision="refused",
        received_on=TODAY,
        guardian_name="Pat Reyes",
        note="Custody order on file.",
    )
    client.force_login(world.director)

    answer = client.get(log_url(world)).context["history"].entries[0]
    row = rows_of(client.get(export_url(world)))[1]

    assert (answer.kind, answer.name, answer.school, answer.who) == (
        "Consent answer",
        "Robin Reyes (student id N1001)",
        "North High",
        world.clerk.full_name,
    )
    assert answer.summary == "Answer recorded: Refused (opted out)"
    assert row[4:7] == ["Consent answer", "Robin Reyes (student id N1001)", "North High"]
    assert not any("Pat Reyes" in cell or "Custody" in cell or "07" in cell for cell in row[1:])


def test_it_lists_the_removal_of_departed_students_as_the_system(client, world, clock):
    StudentFactory(school=world.school, active=False, left_on=datetime.date(2024, 6, 1))
    consent_services.students_purge_departed(district=world.district)
    client.force_login(world.director)

    purge = client.get(log_url(world)).context["history"].entries[0]

    assert (purge.kind, purge.action, purge.who) == ("Departed students", "deleted", "System")
    assert "Students removed: 1" in [str(c) for c in purge.changes]


# --- The export -----------------------------------------------------------------------------------------


def test_it_exports_the_period_as_csv_with_formulas_neutralised(client, world, clock):
    tool = new_tool(world, name='=HYPERLINK("http://evil.example")')
    clock.shift(datetime.timedelta(minutes=1))
    tool_services.tool_set_aside(acting_user=world.director, tool=tool, status="retired", reason="+1 bad idea")
    client.force_login(world.director)

    response = client.get(export_url(world, **{"from": "2026-11-01", "until": "2026-11-21"}))

    assert response["Content-Type"].startswith("text/csv")
    assert "audit-log-north-2026-11-01-to-2026-11-21.csv" in response["Content-Disposition"]
    header, retired, added = rows_of(response)
    assert header == ["When", "Who", "E-mail", "Action", "What", "Name", "School", "Summary", "Changes"]
    assert retired[:6] == [
        "2026-11-21 09:01:00",
        world.director.full_name,
        world.director.email,
        "changed",
        "Tool",
        '\'=HYPERLINK("http://evil.example")',
    ]
    assert retired[7] == "Retired: +1 bad idea"
    assert "Status: Under review → Retired" in retired[8]
    assert added[3:6] == ["created", "Tool", '\'=HYPERLINK("http://evil.example")']


# --- Paging and queries --------------------------------------------------------------------------------


def test_it_pages_the_log_newest_first_keeping_the_period(client, world, clock):
    for n in range(55):
        clock.shift(datetime.timedelta(minutes=1))
        new_tool(world, name=f"Tool {n:02d}")
    client.force_login(world.director)

    first = client.get(log_url(world))
    second = client.get(log_url(world, **{"from": "2026-10-23", "until": "2026-11-21", "page": "2"}))

    assert [e.name for e in first.context["history"].entries][:2] == ["Tool 54", "Tool 53"]
    assert len(first.context["history"].entries) == 50
    assert "from=2026-10-23&amp;until=2026-11-21&amp;page=2" in first.text
    assert [e.name for e in second.context["history"].entries] == [f"Tool {n:02d}" for n in range(4, -1, -1)]
    assert not second.context["history"].has_next
    assert client.get(log_url(world, page="²")).context["history"].number == 1


def test_the_page_and_the_export_cost_the_same_queries_for_a_short_or_a_long_log(
    client, world, activity, django_assert_num_queries
):
    client.force_login(world.director)
    activity.round()
    short_kinds = {e.kind for e in client.get(log_url(world)).context["history"].entries}
    assert len(short_kinds) == 17, short_kinds  # every audited kind is on the first page
    with CaptureQueriesContext(connection) as short_page:
        client.get(log_url(world))
    with CaptureQueriesContext(connection) as short_export:
        short = len(rows_of(client.get(export_url(world))))
    # Counted now: the connection keeps only its last 9,000 queries, and the rounds below run more.
    page_queries, export_queries = len(short_page.captured_queries), len(short_export.captured_queries)

    for _ in range(3):
        activity.round()

    client.get(log_url(world))  # time has passed: the session is refreshed once (config/sessions.py)
    with django_assert_num_queries(page_queries):
        page = client.get(log_url(world))
    with django_assert_num_queries(export_queries):
        long = len(rows_of(client.get(export_url(world))))
    assert {e.kind for e in page.context["history"].entries} == short_kinds
    assert long > short + 3 * 20


def test_the_selectors_read_one_query_per_table_for_a_page_or_the_whole_period(
    world, activity, django_assert_max_num_queries
):
    activity.round()
    period = Period(TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1))

    tables = len(district_sources(world.district))  # 16: logo permissions of accounts and of tools are two
    outside_history = 3  # consent answers, purges and sign-ins are read from their own tables
    with django_assert_max_num_queries(2 * tables + outside_history):
        audit_page(world.district, period)
    with django_assert_max_num_queries(tables + outside_history):
        list(audit_entries(world.district, period))
