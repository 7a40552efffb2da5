"""The audit log narrowed the way people ask: by who acted, the kind of record and the school, beside
the period; read oldest first on request; the filters kept in the page's links and the export; the
district's scope kept whatever is asked; a fixed number of queries whatever the log's length."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.audit.conftest import new_tool
from tests.audit.test_audit_log import export_url, log_url, rows_of
from tests.factories import ToolFactory

SCHOOL_KINDS = {
    "Official account",
    "Account administrator",
    "Account review",
    "Tool request",
    "Authorization",
    "Role",
    "Staff member",
    "Staff disclosure",
    "Consent answer",
}


def entries_of(client, world, **params):
    response = client.get(log_url(world, **params))
    assert response.status_code == 200
    return response.context["history"].entries


@pytest.fixture
def logged(world, activity):
    activity.round()
    return activity


def test_it_shows_only_what_one_person_did_named_by_their_address_in_any_case(client, world, logged):
    client.force_login(world.director)

    clerk = entries_of(client, world, person="CLERK@North.example.org")
    superintendent = entries_of(client, world, person=world.superintendent.email)

    assert clerk and {e.who_email for e in clerk} == {world.clerk.email}
    assert {e.kind for e in clerk} == {"Consent answer"}
    assert superintendent and {e.who_email for e in superintendent} == {world.superintendent.email}
    assert {"Tool", "Authorization", "Designee", "District policy"} <= {e.kind for e in superintendent}


@pytest.mark.parametrize("address", ["director@south.example.org", "nobody@north.example.org"])
def test_a_person_of_another_district_or_nobody_shows_nothing(client, world, logged, address):
    ToolFactory(district=world.other_district, name="Southern secret")
    client.force_login(world.director)

    response = client.get(log_url(world, person=address))

    assert response.context["history"].entries == []
    assert "Nobody of this district has that e-mail address" in response.text
    assert rows_of(client.get(export_url(world, person=address)))[1:] == []


def test_it_shows_one_kind_of_record(client, world, logged):
    client.force_login(world.director)

    accounts = entries_of(client, world, kind="official-account")
    answers = entries_of(client, world, kind="consent-answer")
    sign_ins = entries_of(client, world, kind="sign-in")

    assert accounts and {e.kind for e in accounts} == {"Official account"}
    assert answers and {e.kind for e in answers} == {"Consent answer"}
    assert sign_ins == []


def test_it_ignores_a_filter_it_does_not_understand_and_says_so(client, world, logged):
    client.force_login(world.director)

    response = client.get(log_url(world, kind="passwords", school="x"))

    assert "Some filters were not understood and were ignored." in response.text
    assert len({e.kind for e in response.context["history"].entries}) > 5


def test_it_shows_one_schools_records_only(client, world, logged):
    client.force_login(world.director)

    north_high = entries_of(client, world, school=world.school.pk)
    elementary = entries_of(client, world, school=world.other_school.pk)

    assert north_high and {e.kind for e in north_high} <= SCHOOL_KINDS
    assert {"Official account", "Authorization", "Consent answer", "Role"} <= {e.kind for e in north_high}
    assert all(e.school in ("North High", "") for e in north_high)
    assert "District policy" not in {e.kind for e in north_high}
    assert elementary == []


def test_a_school_of_another_district_is_refused_and_the_district_scope_holds(client, world, logged):
    ToolFactory(district=world.other_district, name="Southern secret")
    client.force_login(world.director)

    response = client.get(log_url(world, school=world.foreign_school.pk))

    assert "Some filters were not understood and were ignored." in response.text
    assert "Southern secret" not in {e.name for e in response.context["history"].entries}


def test_the_filters_combine(client, world, logged):
    client.force_login(world.director)

    entries = entries_of(client, world, person=world.staff.email, kind="official-account", school=world.school.pk)

    assert entries and {(e.kind, e.who_email) for e in entries} == {("Official account", world.staff.email)}


def test_it_reads_oldest_first_on_request_and_keeps_filters_and_sort_in_its_links(client, world, clock):
    for n in range(55):
        clock.shift(datetime.timedelta(minutes=1))
        new_tool(world, name=f"Tool {n:02d}")
    client.force_login(world.director)

    newest = entries_of(client, world, kind="tool")
    response = client.get(log_url(world, kind="tool", person=world.director.email, sort="when"))
    oldest = response.context["history"].entries

    assert [e.name for e in newest][:2] == ["Tool 54", "Tool 53"]
    assert [e.name for e in oldest][:2] == ["Tool 00", "Tool 01"]
    assert 'aria-sort="ascending"' in response.text and "oldest first" in response.text
    period = "from=2026-10-23&amp;until=2026-11-21"
    person = world.director.email.replace("@", "%40")
    assert f"{period}&amp;person={person}&amp;kind=tool&amp;sort=when&amp;page=2" in response.text
    # The export of what is shown: the same filters (its order is always newest first).
    assert f"export.csv?{period}&amp;person={person}&amp;kind=tool&amp;sort=when" in response.text
    second = client.get(log_url(world, kind="tool", sort="when", page=2)).context["history"].entries
    assert [e.name for e in second] == [f"Tool {n:02d}" for n in range(50, 55)]


def test_the_export_follows_the_filters(client, world, logged):
    client.force_login(world.director)

    rows = rows_of(client.get(export_url(world, person=world.clerk.email)))

    assert len(rows) > 1 and {row[2] for row in rows[1:]} == {world.clerk.email}


def test_the_log_stays_closed_to_other_districts_whatever_the_filters(client, world, logged):
    client.force_login(world.foreign_director)

    assert client.get(log_url(world, person=world.foreign_director.email)).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"person": "superintendent@north.example.org"},
        {"kind": "official-account"},
        {"school": "SCHOOL"},
        {"person": "teacher@north.example.org", "kind": "account-review", "school": "SCHOOL", "sort": "when"},
        {"sort": "when"},
        {"person": "director@south.example.org"},
    ],
)
def test_a_filtered_or_sorted_page_costs_the_same_queries_for_a_short_or_a_long_log(
    client, world, activity, django_assert_num_queries, params
):
    params = {key: world.school.pk if value == "SCHOOL" else value for key, value in params.items()}
    client.force_login(world.director)
    activity.round()
    client.get(log_url(world, **params))
    with CaptureQueriesContext(connection) as short:
        client.get(log_url(world, **params))
    with CaptureQueriesContext(connection) as plain:
        client.get(log_url(world))
    short_queries = len(short.captured_queries)
    # Sorted or filtered, a page costs at most the plain page and the person's look-up.
    assert short_queries <= len(plain.captured_queries) + 1

    for _ in range(3):
        activity.round()

    client.get(log_url(world))  # time has passed: the session is refreshed once (config/sessions.py)
    with django_assert_num_queries(short_queries):
        client.get(log_url(world, **params))
