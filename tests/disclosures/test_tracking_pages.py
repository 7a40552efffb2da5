"""Running a disclosure cycle through HTTP: the school years, opening and changing a cycle, the
tracking page and its CSV, and the review queue; odd input; constant queries."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import DisclosureRecipient, User
from disclosures import services
from disclosures.models import DEFAULT_ATTESTATION, Disclosure, DisclosureCycle, DisclosureState
from tests.disclosures.filing import add_network, file_none, sign
from tests.factories import SchoolFactory, staff_at
from tests.pages import fetch, queries_for

CSV_HEADER = ["Last name", "First name", "E-mail", "Employee id", "Due on", "Status", "Filed late"]
HUGE = "99999999999999999999"


def at(day: datetime.date, hour: int = 18):
    """Freeze the clock on `day` (UTC afternoon: the same day in the district)."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def tracking(cycle) -> str:
    return reverse("disclosures:cycle_detail", args=[cycle.pk])


def listed(response) -> list[str]:
    """Last names of the people on the tracking page."""
    return [person.last_name for person, _due_on in response.context["rows"]]


NORTH_PERSONAS = 7  # director, superintendent, communications, principal, clerk, staff, other_principal


# --- School years -------------------------------------------------------------------------------


def test_it_lists_the_districts_school_years_to_the_director(client, world, cycle):
    client.force_login(world.director)

    response = client.get(reverse("disclosures:cycle_list"))

    assert list(response.context["cycles"]) == [cycle]
    page = response.content.decode()
    assert "2026–27" in page and tracking(cycle) in page
    assert reverse("disclosures:cycle_new", args=["north"]) in page


def test_it_lists_no_other_districts_school_years(client, world, cycle):
    client.force_login(world.foreign_director)

    response = client.get(reverse("disclosures:cycle_list"))

    assert list(response.context["cycles"]) == []
    assert tracking(cycle) not in response.content.decode()
    assert "No school year has been opened yet." in response.content.decode()


def test_it_lists_school_years_to_a_principal_who_receives_disclosures_without_managing_them(client, world, cycle):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    client.force_login(world.principal)

    response = client.get(reverse("disclosures:cycle_list"))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert reverse("disclosures:cycle_new", args=["north"]) not in response.content.decode()


def new_cycle(**changes) -> dict:
    return {
        "school_year_start": "2027",
        "opens_on": "2027-08-20",
        "due_on": "2027-10-01",
        "new_hire_grace_days": "30",
        "required_roles": [],
        "attestation_text": DEFAULT_ATTESTATION,
        **changes,
    }


def test_it_opens_a_school_year(client, world, cycle):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:cycle_new", args=["north"]), new_cycle(required_roles=["staff", "principal"])
    )

    created = DisclosureCycle.objects.get(district=world.district, school_year_start=2027)
    assert response["Location"] == tracking(created)
    assert messages_of(response) == ["The 2027–28 disclosure cycle is set up."]
    assert (created.due_on, created.required_roles, created.created_by) == (
        datetime.date(2027, 10, 1),
        ["staff", "principal"],
        world.director,
    )


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"due_on": "2027-08-01"}, "due_on", "The due date cannot be before the cycle opens."),
        ({"opens_on": "2029-01-10", "due_on": "2029-02-01"}, "opens_on", "within the 2027–28 school year"),
        ({"school_year_start": "2031"}, "school_year_start", "Select a valid choice."),
        ({"school_year_start": "2026"}, None, "already has a disclosure cycle for that school year"),
        ({"new_hire_grace_days": "9999"}, "new_hire_grace_days", "less than or equal to 365"),
        ({"required_roles": ["janitor"]}, "required_roles", "Select a valid choice."),
        ({"opens_on": "not a date"}, "opens_on", "Enter a valid date."),
    ],
)
def test_it_refuses_an_invalid_school_year_and_opens_nothing(client, world, cycle, changes, field, error):
    client.force_login(world.director)

    response = client.post(reverse("disclosures:cycle_new", args=["north"]), new_cycle(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(error in message for message in errors[field if field else "__all__"]) or any(
        error in message for messages in errors.values() for message in messages
    )
    assert list(DisclosureCycle.objects.all()) == [cycle]


def test_it_keeps_a_cycles_school_year_when_it_is_changed(client, world, cycle):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:cycle_edit", args=[cycle.pk]),
        {
            "school_year_start": "2027",
            "opens_on": "2026-09-01",
            "due_on": "2026-12-10",
            "new_hire_grace_days": "14",
            "attestation_text": cycle.attestation_text,
        },
    )

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.school_year_start, cycle.due_on, cycle.new_hire_grace_days) == (2026, datetime.date(2026, 12, 10), 14)


def test_it_refuses_an_invalid_change_to_a_cycle_and_keeps_it(client, world, cycle):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:cycle_edit", args=[cycle.pk]),
        {"opens_on": "2026-09-01", "due_on": "2026-08-01", "new_hire_grace_days": "30", "attestation_text": "New"},
    )

    assert response.status_code == 200 and response.context["form"].errors
    cycle.refresh_from_db()
    assert (cycle.due_on, cycle.attestation_text) == (datetime.date(2026, 12, 1), DEFAULT_ATTESTATION)


# --- The tracking page ----------------------------------------------------------------------------


@dataclass
class Staff:
    ada: User  # filed on time
    bob: User  # a draft only: late after December 1
    carl: User  # nothing: late after December 1
    dana: User  # started November 20: due December 20
    eve: User  # left November 30
    fay: User  # inactive
    gus: User  # filed after the due date
    hal: User  # leaves December 31: still counted in December


@pytest.fixture
def people(world, cycle):
    """Staff of both North schools in every standing, as of December 5 (after the due date)."""

    def person(school, last_name, **extra):
        return staff_at(school, first_name=last_name[:3], last_name=last_name, **extra)

    ada = person(world.school, "Ashby")
    bob = person(world.school, "Bancroft")
    carl = person(world.other_school, "Carlisle")
    dana = person(world.other_school, "Danforth", started_on=datetime.date(2026, 11, 20))
    eve = person(world.school, "Everton", left_on=datetime.date(2026, 11, 30))
    fay = person(world.other_school, "Fayette", is_active=False)
    gus = person(world.other_school, "Gustavson")
    hal = person(world.school, "Halloway", left_on=datetime.date(2026, 12, 31))
    file_none(ada, cycle)
    services.disclosure_start(acting_user=bob, cycle=cycle)
    with at(datetime.date(2026, 12, 3)):
        file_none(gus, cycle)
    return Staff(ada, bob, carl, dana, eve, fay, gus, hal)


@pytest.fixture
def december(people):
    with at(datetime.date(2026, 12, 5)):
        yield datetime.date(2026, 12, 5)


def test_it_counts_late_staff_after_the_due_date_and_leaves_out_people_who_left(client, world, cycle, december):
    client.force_login(world.director)

    response = client.get(tracking(cycle))

    totals = response.context["totals"]
    # The seven personas, Ashby, Bancroft, Carlisle, Danforth, Gustavson, Halloway.
    assert totals["total"] == NORTH_PERSONAS + 6
    assert totals["filed"] == 2
    assert totals["filed_late"] == 1
    assert totals["draft"] == 1
    assert totals["not_started"] == NORTH_PERSONAS + 3
    # Everyone who has not filed but Danforth, whose grace period runs to December 20.
    assert totals["late"] == NORTH_PERSONAS + 3
    assert totals["waiting_review"] == 2
    names = listed(response)
    assert "Everton" not in names and "Fayette" not in names
    assert "Halloway" in names and "Danforth" in names


def test_it_lists_only_the_late_staff_in_the_late_category(client, world, cycle, december):
    client.force_login(world.director)

    response = client.get(tracking(cycle), {"category": "late"})

    names = listed(response)
    assert {"Bancroft", "Carlisle", "Halloway"} <= set(names)
    assert not {"Ashby", "Danforth", "Gustavson", "Everton", "Fayette"} & set(names)
    assert len(names) == NORTH_PERSONAS + 3
    assert response.content.decode().count('<span class="badge text-bg-danger">Late</span>') == len(names)


def test_it_counts_nobody_late_before_the_due_date(client, world, cycle, people, today):
    client.force_login(world.director)

    totals = client.get(tracking(cycle)).context["totals"]

    assert totals["late"] == 0
    assert totals["total"] == NORTH_PERSONAS + 7  # Everton leaves on November 30: still here today
    assert totals["filed"] == 2  # the fixture already holds Gustavson's December filing


def test_it_counts_each_school_apart(client, world, cycle, december):
    client.force_login(world.director)

    by_school = {row["school"]: row for row in client.get(tracking(cycle)).context["by_school"]}

    # North High: the six personas working there, Ashby, Bancroft, Halloway.
    high = by_school[world.school]
    assert (high["total"], high["filed"], high["draft"], high["late"]) == (9, 1, 1, 8)
    # North Elementary: the other principal, Carlisle, Danforth, Gustavson.
    elementary = by_school[world.other_school]
    assert (elementary["total"], elementary["filed"], elementary["filed_late"], elementary["late"]) == (4, 1, 1, 2)


def test_it_filters_by_school_and_category_together(client, world, cycle, december):
    client.force_login(world.director)

    response = client.get(tracking(cycle), {"school": world.other_school.pk, "category": "late"})

    assert sorted(listed(response)) == sorted(["Carlisle", world.other_principal.last_name])


def test_it_finds_people_by_name(client, world, cycle, december):
    client.force_login(world.director)

    assert listed(client.get(tracking(cycle), {"q": "bancr"})) == ["Bancroft"]


@pytest.mark.parametrize(
    "params",
    [
        {"category": "everyone-who-is-nice"},
        {"school": "not-a-number"},
        {"school": HUGE},
        {"school": "-1"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"category": "late\x00"},
        {"page": "x"},
        {"page": HUGE},
    ],
)
def test_it_shows_everyone_when_a_filter_makes_no_sense(client, world, cycle, december, params):
    client.force_login(world.director)

    response = client.get(tracking(cycle), params)

    assert response.status_code == 200
    assert len(listed(response)) == NORTH_PERSONAS + 6


def test_it_ignores_another_districts_school_as_a_filter(client, world, cycle, december):
    client.force_login(world.director)

    response = client.get(tracking(cycle), {"school": world.foreign_school.pk})

    assert len(listed(response)) == NORTH_PERSONAS + 6


def test_it_links_filed_people_to_their_disclosure(client, world, cycle, december, people):
    client.force_login(world.director)
    filing = Disclosure.objects.get(employee=people.ada)
    draft = Disclosure.objects.get(employee=people.bob)

    page = client.get(tracking(cycle)).content.decode()

    assert reverse("disclosures:detail", args=[filing.pk]) in page
    assert reverse("disclosures:detail", args=[draft.pk]) not in page


def test_it_flags_people_who_must_sign_the_changed_attestation(client, world, cycle, december, people):
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text="A new text.")
    client.force_login(world.director)

    response = client.get(tracking(cycle), {"category": "sign_again"})

    assert response.context["totals"]["sign_again"] == 2
    assert sorted(listed(response)) == ["Ashby", "Gustavson"]
    assert "2 people have not yet signed the current attestation text" in response.content.decode()


@pytest.mark.parametrize("recipient", [DisclosureRecipient.SCHOOL, DisclosureRecipient.SUPERVISOR])
def test_it_tracks_only_the_principals_own_school(client, world, cycle, december, recipient):
    world.district.disclosure_recipient = recipient
    world.district.save()

    client.force_login(world.principal)
    principal = client.get(tracking(cycle))
    client.force_login(world.other_principal)
    other = client.get(tracking(cycle))

    assert principal.status_code == other.status_code == 200
    assert {"Ashby", "Bancroft", "Halloway"} <= set(listed(principal))
    assert not {"Carlisle", "Danforth", "Gustavson"} & set(listed(principal))
    assert [row["school"] for row in principal.context["by_school"]] == [world.school]
    assert sorted(listed(other)) == sorted(["Carlisle", "Danforth", "Gustavson", world.other_principal.last_name])
    assert not {"Ashby", "Bancroft", "Halloway", world.staff.last_name} & set(listed(other))


def test_it_tracks_nobody_for_a_principal_when_disclosures_go_to_the_district(client, world, cycle, december):
    client.force_login(world.principal)

    assert client.get(tracking(cycle)).status_code == 403
    assert client.get(tracking(cycle), {"format": "csv"}).status_code == 403


# --- The CSV ---------------------------------------------------------------------------------------


def test_it_downloads_one_row_per_person(client, world, cycle, december, people):
    client.force_login(world.director)

    response = client.get(tracking(cycle), {"format": "csv"})

    rows = read_csv(response)
    assert response["Content-Disposition"] == 'attachment; filename="disclosures-2026.csv"'
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + NORTH_PERSONAS + 6
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Ashby"][4:] == ["2026-12-01", "Submitted", ""]
    assert by_name["Bancroft"][4:] == ["2026-12-01", "Draft", ""]
    assert by_name["Danforth"][4:] == ["2026-12-20", "Not started", ""]
    assert by_name["Gustavson"][4:] == ["2026-12-01", "Submitted", "yes"]
    assert "Everton" not in by_name and "Fayette" not in by_name


def test_it_downloads_the_same_people_as_the_filtered_page(client, world, cycle, december):
    client.force_login(world.director)
    params = {"school": world.other_school.pk, "category": "late"}

    page = client.get(tracking(cycle), params)
    rows = read_csv(client.get(tracking(cycle), {**params, "format": "csv"}))

    assert [row[0] for row in rows[1:]] == listed(page)
    assert sorted(row[0] for row in rows[1:]) == sorted(["Carlisle", world.other_principal.last_name])
    assert "format=csv" in page.content.decode() and f"school={world.other_school.pk}" in page.content.decode()


@pytest.mark.parametrize("category", ["not_started", "draft", "filed_late"])
def test_it_downloads_a_category(client, world, cycle, december, category):
    client.force_login(world.director)

    page = client.get(tracking(cycle), {"category": category})
    rows = read_csv(client.get(tracking(cycle), {"category": category, "format": "csv"}))

    assert [row[0] for row in rows[1:]] == listed(page)
    assert len(rows) - 1 == page.context["totals"][category]


def test_it_downloads_everyone_when_a_filter_makes_no_sense(client, world, cycle, december):
    client.force_login(world.director)

    rows = read_csv(client.get(tracking(cycle), {"format": "csv", "category": "bogus", "school": "x", "q": "a\x00"}))

    assert len(rows) == 1 + NORTH_PERSONAS + 6


def test_it_neutralises_formulas_in_the_csv(client, world, cycle):
    staff_at(world.school, first_name='=HYPERLINK("https://evil.example.org","Click")', last_name="+Mallory")
    staff_at(world.school, first_name="@SUM(A1)", last_name="-Trudy", employee_id="=1+1")
    client.force_login(world.director)

    rows = read_csv(client.get(tracking(cycle), {"format": "csv"}))

    by_first = {row[1]: row for row in rows[1:]}
    assert by_first['\'=HYPERLINK("https://evil.example.org","Click")'][0] == "'+Mallory"
    assert by_first["'@SUM(A1)"][0] == "'-Trudy"
    assert by_first["'@SUM(A1)"][3] == "'=1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_it_downloads_only_the_principals_own_school(client, world, cycle, december):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    client.force_login(world.other_principal)

    rows = read_csv(client.get(tracking(cycle), {"format": "csv"}))

    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["Carlisle", "Danforth", "Gustavson", world.other_principal.last_name]
    )


# --- The review queue ------------------------------------------------------------------------------


def test_it_queues_filings_waiting_for_review_oldest_first(client, world, cycle, people):
    first = Disclosure.objects.get(employee=people.ada)
    later = Disclosure.objects.get(employee=people.gus)
    accepted = file_none(world.clerk, cycle)
    services.disclosure_accept(acting_user=world.director, disclosure=accepted)
    file_none(world.director, cycle)
    client.force_login(world.director)

    response = client.get(reverse("disclosures:review_queue"))

    assert list(response.context["page"]) == [first, later]
    page = response.content.decode()
    assert "Ashby" in page and "Gustavson" in page and "Late" in page


def test_it_counts_the_queue_on_the_reviewers_home(client, world, cycle, people):
    client.force_login(world.director)

    page = client.get(reverse("disclosures:home")).content.decode()

    assert "Waiting for my review" in page
    assert '<span class="badge text-bg-light">2</span>' in page


def test_it_puts_a_resubmitted_revision_back_in_the_queue(client, world, cycle, people):
    filing = Disclosure.objects.get(employee=people.ada)
    services.disclosure_return(acting_user=world.director, disclosure=filing, comment="Add the band page.")
    client.force_login(world.director)
    assert filing not in client.get(reverse("disclosures:review_queue")).context["page"]

    revision = services.disclosure_amend(acting_user=people.ada, disclosure=filing)
    services.disclosure_set_none(acting_user=people.ada, disclosure=revision, takes_part_in_none=False)
    add_network(people.ada, revision)
    sign(people.ada, revision)

    queue = list(client.get(reverse("disclosures:review_queue")).context["page"])
    assert revision in queue and filing not in queue
    assert Disclosure.objects.get(pk=revision.pk).state == DisclosureState.RESUBMITTED


# --- Constant queries -------------------------------------------------------------------------------

STATES = ("not_started", "draft", "submitted", "accepted", "returned", "resubmitted", "left")


def add_staff(world, cycle, count: int) -> None:
    """`count` more staff across North's two schools, in every standing in turn."""
    start = User.objects.count()
    for n in range(count):
        school = world.school if n % 2 == 0 else world.other_school
        state = STATES[n % len(STATES)]
        left = {"left_on": datetime.date(2026, 10, 1)} if state == "left" else {}
        person = staff_at(school, first_name=f"Person{start + n}", last_name=f"Staff{start + n:04d}", **left)
        if state in ("not_started", "left"):
            continue
        draft = services.disclosure_start(acting_user=person, cycle=cycle)
        if state == "draft":
            continue
        add_network(person, draft, name=f"Network {n}")
        filed = sign(person, draft)
        if state == "accepted":
            services.disclosure_accept(acting_user=world.director, disclosure=filed)
        elif state in ("returned", "resubmitted"):
            services.disclosure_return(acting_user=world.director, disclosure=filed, comment="Add the address.")
            if state == "resubmitted":
                sign(person, services.disclosure_amend(acting_user=person, disclosure=filed))


@pytest.mark.parametrize(
    "params",
    [
        "",
        "?category=late",
        "?category=waiting_review&q=staff",
        "?school={school}",
        "?format=csv",
        "?format=csv&category=not_started&school={school}",
    ],
)
def test_it_costs_the_same_queries_to_track_3_or_30_staff(client, world, cycle, params, django_assert_num_queries):
    url = tracking(cycle) + params.format(school=world.school.pk)
    client.force_login(world.director)
    add_staff(world, cycle, 3)
    small = queries_for(client, url)

    add_staff(world, cycle, 27)

    with django_assert_num_queries(small):
        fetch(client, url)


def test_it_costs_the_same_queries_to_track_with_three_schools(client, world, cycle, django_assert_num_queries):
    client.force_login(world.director)
    add_staff(world, cycle, 3)
    small = queries_for(client, tracking(cycle))

    SchoolFactory(district=world.district, name="North Middle")
    add_staff(world, cycle, 27)

    with django_assert_num_queries(small):
        fetch(client, tracking(cycle))


def test_it_costs_the_same_queries_for_a_principals_tracking_page(client, world, cycle, django_assert_num_queries):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    client.force_login(world.principal)
    add_staff(world, cycle, 3)
    small = queries_for(client, tracking(cycle))

    add_staff(world, cycle, 27)

    with django_assert_num_queries(small):
        fetch(client, tracking(cycle))


@pytest.mark.parametrize("persona", ["director", "superintendent"])
def test_it_costs_the_same_queries_for_a_review_queue_of_3_or_30_staff(
    client, world, cycle, persona, django_assert_num_queries
):
    client.force_login(world.persona(persona))
    add_staff(world, cycle, 3)
    small = queries_for(client, reverse("disclosures:review_queue"))

    add_staff(world, cycle, 27)

    with django_assert_num_queries(small):
        response = fetch(client, reverse("disclosures:review_queue"))
    assert len(response.context["page"]) == 5 + 4  # the submitted and resubmitted of 3 + 27 staff
