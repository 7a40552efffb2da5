"""Tracking a cycle: who must file, where each person stands, the counts per category and per
school, and the lists reminders and review queues read. The due-date rule is asked in SQL for
whole lists and in Python for one person; both must give the same answer."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine

from accounts.models import Role, User
from disclosures import access, selectors, services
from disclosures.models import Disclosure, DisclosureCycle, DisclosureState
from tests.disclosures.filing import file_none, revise
from tests.factories import DistrictFactory, MembershipFactory, SchoolFactory, UserFactory, staff_at

NEW_TEXT = "I have listed every network created by a student group or the public that I take part in."
PERSONAS = ["director", "superintendent", "communications", "principal", "clerk", "staff", "other_principal"]


def day(month: int, dom: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dom)


def at(when: datetime.date, hour: int = 18):
    return time_machine.travel(datetime.datetime.combine(when, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


def emails(users) -> set[str]:
    return set(users.values_list("email", flat=True))


def persona_emails(world, *names) -> set[str]:
    return {world.persona(name).email for name in (names or PERSONAS)}


# --- Who must file -------------------------------------------------------------------------------


def test_it_counts_active_staff_who_have_started_and_not_left(world, cycle, today, superuser):
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    included = [
        staff_at(world.school, email="leaving-tomorrow@north.example.org", left_on=tomorrow),
        staff_at(world.school, email="started-today@north.example.org", started_on=today),
        staff_at(world.other_school, email="long-serving@north.example.org", started_on=day(8, 1, 2010)),
    ]
    staff_at(world.school, email="inactive@north.example.org", is_active=False)
    staff_at(world.school, email="left-today@north.example.org", left_on=today)
    staff_at(world.school, email="left-yesterday@north.example.org", left_on=yesterday)
    staff_at(world.school, email="starts-tomorrow@north.example.org", started_on=tomorrow)
    staff_at(world.foreign_school, email="teacher@south.example.org")

    assert emails(selectors.staff_who_must_file(cycle, today)) == persona_emails(world) | {
        person.email for person in included
    }
    # The person starting tomorrow counts from tomorrow.
    assert "starts-tomorrow@north.example.org" in emails(selectors.staff_who_must_file(cycle, tomorrow))


def test_it_narrows_who_must_file_to_the_cycles_roles(world, cycle, today):
    former = staff_at(world.other_school, Role.PRINCIPAL, email="former-principal@north.example.org")
    former.memberships.filter(role=Role.PRINCIPAL).update(ended_on=today)

    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, required_roles=[Role.PRINCIPAL])
    assert emails(selectors.staff_who_must_file(cycle, today)) == persona_emails(world, "principal", "other_principal")

    services.disclosure_cycle_update(
        acting_user=world.director, cycle=cycle, required_roles=[Role.PRINCIPAL, Role.CLERK, Role.SUPERINTENDENT]
    )
    assert emails(selectors.staff_who_must_file(cycle, today)) == persona_emails(
        world, "principal", "other_principal", "clerk", "superintendent"
    )

    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, required_roles=[])
    assert former.email in emails(selectors.staff_who_must_file(cycle, today))  # still staff, no longer principal


# --- Where each person stands -------------------------------------------------------------------------


@pytest.fixture
def scene(world, cycle):
    """One person in each situation, all at North High. Filed on November 21 unless said."""
    names = [
        "nothing",
        "drafting",
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
        "amending",
        "late_filer",
    ]
    people = {name: staff_at(world.school, email=f"{name}@north.example.org") for name in names}

    # Last year's filing does not count for this year.
    with at(day(9, 15, 2025)):
        last_year = services.disclosure_cycle_create(
            acting_user=world.director,
            district=world.district,
            school_year_start=2025,
            opens_on=day(9, 1, 2025),
            due_on=day(12, 1, 2025),
        )
        file_none(people["nothing"], last_year)

    services.disclosure_start(acting_user=people["drafting"], cycle=cycle)
    file_none(people["submitted"], cycle)
    services.disclosure_return(
        acting_user=world.director, disclosure=file_none(people["returned"], cycle), comment="Add the page."
    )
    first = file_none(people["resubmitted"], cycle)
    services.disclosure_return(acting_user=world.director, disclosure=first, comment="Add the page.")
    revise(people["resubmitted"], first)
    services.disclosure_accept(acting_user=world.director, disclosure=file_none(people["accepted"], cycle))
    services.disclosure_amend(acting_user=people["amending"], disclosure=file_none(people["amending"], cycle))
    with at(day(12, 3)):
        file_none(people["late_filer"], cycle)

    # The attestation changes on December 4; only the accepted filer has signed the new text since.
    with at(day(12, 4)):
        services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)
        services.disclosure_sign_again(
            acting_user=people["accepted"],
            disclosure=selectors.standing_filings(cycle).get(employee=people["accepted"]),
            signed_name=people["accepted"].full_name,
            signed_hash=cycle.attestation_hash,
        )
    return people


def scene_staff(scene):
    return User.objects.filter(pk__in=[person.pk for person in scene.values()])


def names_of(scene, users) -> set[str]:
    by_pk = {person.pk: name for name, person in scene.items()}
    return {by_pk[pk] for pk in users.values_list("pk", flat=True)}


def test_it_annotates_each_persons_standing_once(world, cycle, scene):
    rows = selectors.with_status(scene_staff(scene), cycle)

    assert rows.count() == len(scene)
    standing = {row.email.split("@")[0]: row for row in rows}
    assert {name: row.disclosure_state for name, row in standing.items()} == {
        "nothing": DisclosureState.NOT_STARTED,
        "drafting": DisclosureState.DRAFT,
        "submitted": DisclosureState.SUBMITTED,
        "returned": DisclosureState.RETURNED,
        "resubmitted": DisclosureState.RESUBMITTED,
        "accepted": DisclosureState.ACCEPTED,
        "amending": DisclosureState.SUBMITTED,  # the filing on file, not the amendment being drafted
        "late_filer": DisclosureState.SUBMITTED,
    }
    for name, row in standing.items():
        filing = selectors.standing_filings(cycle).filter(employee=scene[name]).first()
        draft = Disclosure.objects.filter(cycle=cycle, employee=scene[name], state=DisclosureState.DRAFT).first()
        assert row.filing_id == (filing.pk if filing else None), name
        assert row.draft_id == (draft.pk if draft else None), name
        assert row.filing_late == (filing.filed_late if filing else None), name
    assert standing["resubmitted"].filing_id == Disclosure.objects.get(employee=scene["resubmitted"], version=2).pk


EXPECTED = {
    "not_started": {"nothing"},
    "draft": {"drafting"},
    "waiting_review": {"submitted", "resubmitted", "amending", "late_filer"},
    "returned": {"returned"},
    "accepted": {"accepted"},
    "filed_late": {"late_filer"},
    "sign_again": {"submitted", "returned", "resubmitted", "amending", "late_filer"},
}


@pytest.mark.parametrize(
    ("on", "late"),
    [
        (day(11, 21), set()),
        (day(12, 1), set()),
        (day(12, 2), {"nothing", "drafting"}),
        (day(12, 5), {"nothing", "drafting"}),
    ],
)
def test_it_puts_each_person_in_their_categories(world, cycle, scene, on, late):
    cycle.refresh_from_db()
    expected = {**EXPECTED, "late": late}
    assert {category.key for category in selectors.CATEGORIES} == set(expected)

    for category in selectors.CATEGORIES:
        assert (
            names_of(scene, selectors.in_category(scene_staff(scene), cycle, category.key, on))
            == (expected[category.key])
        ), category.key

    totals = selectors.tracking_totals(scene_staff(scene), cycle, on)
    assert totals == {
        "total": len(scene),
        "filed": len(scene) - 2,
        **{key: len(members) for key, members in expected.items()},
    }


def test_it_counts_someone_at_two_schools_at_both_and_once_in_the_total(world, cycle, today):
    quiet = SchoolFactory(district=world.district, name="West Annex")
    at_high = staff_at(world.school)
    at_elementary = staff_at(world.other_school)
    at_both = staff_at(world.school)
    MembershipFactory(user=at_both, school=world.other_school)
    moved_out = staff_at(world.other_school)
    moved_out.memberships.update(ended_on=today)
    file_none(at_high, cycle)
    file_none(at_both, cycle)
    services.disclosure_start(acting_user=at_elementary, cycle=cycle)
    staff = selectors.staff_who_must_file(cycle, today)

    rows = selectors.tracking_by_school(staff, cycle, world.district.schools.all(), today)
    totals = selectors.tracking_totals(staff, cycle, today)

    by_name = {row["school"].name: row for row in rows}
    assert [row["school"] for row in rows] == [world.other_school, world.school, quiet]  # by name
    # North Elementary: its principal, the person drafting, the person at both schools.
    assert (by_name["North Elementary"]["total"], by_name["North Elementary"]["filed"]) == (3, 1)
    assert (by_name["North Elementary"]["draft"], by_name["North Elementary"]["not_started"]) == (1, 1)
    # North High: six personas (the principal holds two posts there) and two new people.
    assert (by_name["North High"]["total"], by_name["North High"]["filed"]) == (8, 2)
    assert by_name["North High"]["not_started"] == 6
    assert by_name["West Annex"] == {"school": quiet, **{key: 0 for key in totals}}
    # The district counts each person once, including someone with no current post.
    assert totals["total"] == len(PERSONAS) + 4
    assert (totals["filed"], totals["draft"], totals["waiting_review"]) == (2, 1, 2)
    assert totals["not_started"] == len(PERSONAS) + 1


def test_it_counts_only_the_schools_asked_for(world, cycle, today):
    file_none(world.other_principal, cycle)
    staff = selectors.staff_who_must_file(cycle, today)

    rows = selectors.tracking_by_school(staff, cycle, world.district.schools.filter(pk=world.other_school.pk), today)

    assert [(row["school"], row["total"], row["filed"]) for row in rows] == [(world.other_school, 1, 1)]


# --- Reminders: not filed, due soon, late ---------------------------------------------------------


@pytest.fixture
def hires(world, cycle):
    """New staff by start date (due December 1, 10 and 20), one person filed and one drafting."""
    people = {
        "oct1": staff_at(world.school, email="oct1@north.example.org", started_on=day(10, 1)),
        "nov10": staff_at(world.school, email="nov10@north.example.org", started_on=day(11, 10)),
        "nov20": staff_at(world.school, email="nov20@north.example.org", started_on=day(11, 20)),
        "filed": staff_at(world.school, email="filed@north.example.org"),
        "drafting": staff_at(world.school, email="drafting@north.example.org"),
    }
    file_none(people["filed"], cycle)
    services.disclosure_start(acting_user=people["drafting"], cycle=cycle)
    return people


def regular(world, hires) -> set[str]:
    """Everyone not yet filed whose due date is the cycle's own."""
    return persona_emails(world) | {hires["oct1"].email, hires["drafting"].email}


def test_it_lists_who_has_not_filed(world, cycle, hires, today):
    assert emails(selectors.not_filed(cycle, today)) == regular(world, hires) | {
        hires["nov10"].email,
        hires["nov20"].email,
    }
    assert emails(selectors.not_filed(cycle, day(11, 15))) == regular(world, hires) | {hires["nov10"].email}


@pytest.mark.parametrize(
    ("on", "days", "expected"),
    [
        (day(11, 21), 9, set()),  # up to November 30
        (day(11, 21), 10, {"regular"}),  # up to December 1, inclusive
        (day(11, 21), 18, {"regular"}),
        (day(11, 21), 19, {"regular", "nov10"}),
        (day(11, 21), 28, {"regular", "nov10"}),
        (day(11, 21), 29, {"regular", "nov10", "nov20"}),
        (day(11, 15), 40, {"regular", "nov10"}),  # November 20's hire has not started yet
        (day(12, 1), 0, {"regular"}),  # from the day asked, inclusive
        (day(12, 2), 8, {"nov10"}),
        (day(12, 10), 0, {"nov10"}),
        (day(12, 11), 30, {"nov20"}),
        (day(12, 21), 30, set()),
    ],
)
def test_it_lists_who_is_due_within_a_number_of_days(world, cycle, hires, on, days, expected):
    want = set()
    for key in expected:
        want |= regular(world, hires) if key == "regular" else {hires[key].email}

    assert emails(selectors.due_within(cycle, on, days)) == want


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (day(11, 21), set()),
        (day(12, 1), set()),  # due today is not late
        (day(12, 2), {"regular"}),
        (day(12, 10), {"regular"}),
        (day(12, 11), {"regular", "nov10"}),
        (day(12, 20), {"regular", "nov10"}),
        (day(12, 21), {"regular", "nov10", "nov20"}),
    ],
)
def test_it_lists_who_is_late(world, cycle, hires, on, expected):
    want = set()
    for key in expected:
        want |= regular(world, hires) if key == "regular" else {hires[key].email}

    assert emails(selectors.late(cycle, on)) == want
    assert emails(selectors.in_category(selectors.staff_who_must_file(cycle, on), cycle, "late", on)) == want


# --- Review queues ------------------------------------------------------------------------------


@pytest.fixture
def filings(world, cycle):
    """Filings in each review state, filed an hour apart in the order listed."""
    people = {
        name: staff_at(world.school, email=f"{name}@north.example.org")
        for name in ("submitted", "returned", "revised", "returned_amending", "accepted", "amended")
    }
    found = {}
    for hour, name in enumerate(people, start=9):
        with at(day(11, 21), hour=hour):
            found[name] = file_none(people[name], cycle)
    with at(day(11, 21), hour=20):
        file_none(world.director, cycle)
    services.disclosure_return(acting_user=world.director, disclosure=found["returned"], comment="Add the page.")
    services.disclosure_return(acting_user=world.director, disclosure=found["revised"], comment="Add the page.")
    services.disclosure_return(
        acting_user=world.director, disclosure=found["returned_amending"], comment="Add the page."
    )
    services.disclosure_accept(acting_user=world.director, disclosure=found["accepted"])
    with at(day(11, 22)):
        found["revised_v2"] = revise(people["revised"], found["revised"])
        found["amended_v2"] = revise(people["amended"], found["amended"])
    services.disclosure_amend(
        acting_user=people["returned_amending"],
        disclosure=Disclosure.objects.get(pk=found["returned_amending"].pk),
    )
    return found


def test_it_lists_filings_returned_to_the_employee(world, cycle, filings):
    assert set(selectors.returned_to_employee(cycle)) == {filings["returned"], filings["returned_amending"]}


def test_it_lists_filings_waiting_for_review(world, cycle, filings):
    director_filing = selectors.standing_filings(cycle).get(employee=world.director)

    assert set(selectors.waiting_for_review(cycle)) == {
        filings["submitted"],
        filings["revised_v2"],
        filings["amended_v2"],
        director_filing,
    }


def test_it_queues_waiting_filings_for_a_reviewer_oldest_first_never_their_own(world, cycle, filings):
    director_filing = selectors.standing_filings(cycle).get(employee=world.director)

    director_queue = selectors.review_queue(access.visible_disclosures(world.director), world.director)
    superintendent_queue = selectors.review_queue(
        access.visible_disclosures(world.superintendent), world.superintendent
    )

    assert list(director_queue) == [filings["submitted"], filings["revised_v2"], filings["amended_v2"]]
    assert list(superintendent_queue) == [
        filings["submitted"],
        director_filing,
        filings["revised_v2"],
        filings["amended_v2"],
    ]
    assert not selectors.review_queue(access.visible_disclosures(world.principal), world.principal).exists()


# --- The due-date rule: SQL and Python agree -----------------------------------------------------------


CYCLE_SHAPES = [
    # (opens_on, due_on, grace days)
    (day(9, 1), day(12, 1), 30),  # the usual: the grace can outlast the cycle
    (day(9, 1), day(9, 10), 30),  # due soon after opening: every later start gets the full grace
    (day(9, 1), day(12, 1), 0),  # no grace: a late starter is due the day they start
    (day(9, 1), day(9, 1), 14),  # due the day it opens
    (day(8, 1), day(2, 1, 2027), 365),
]


@pytest.mark.parametrize(("opens_on", "due_on", "grace"), CYCLE_SHAPES)
def test_it_asks_the_same_due_date_rule_in_sql_and_in_python(db, opens_on, due_on, grace):
    cycle = DisclosureCycle(opens_on=opens_on, due_on=due_on, new_hire_grace_days=grace)
    new_hire_after = max(opens_on, due_on - datetime.timedelta(days=grace))
    interesting = {
        opens_on,
        due_on,
        new_hire_after,
        due_on - datetime.timedelta(days=grace),
        due_on + datetime.timedelta(days=grace),
    }
    start_dates = {None}
    for anchor, offset in itertools.product(interesting, (-2, -1, 0, 1, 2)):
        start_dates.add(anchor + datetime.timedelta(days=offset))
    start_dates |= {opens_on + datetime.timedelta(days=n) for n in range(-20, 200, 9)}
    district = DistrictFactory()
    User.objects.bulk_create(
        UserFactory.build(district=district, started_on=started_on, email=f"start{n}@grid.example.org")
        for n, started_on in enumerate(sorted(start_dates, key=lambda d: d or datetime.date.min))
    )
    people = list(User.objects.filter(district=district))
    assert len(people) == len(start_dates)
    due = {person.pk: cycle.due_on_for(person.started_on) for person in people}

    checked_days = sorted(
        {d + datetime.timedelta(days=offset) for d in set(due.values()) for offset in (-1, 0, 1)}
        | {opens_on - datetime.timedelta(days=30)}
    )
    for on in checked_days:
        overdue = set(User.objects.filter(district=district).filter(cycle.overdue_q(on)).values_list("pk", flat=True))
        assert overdue == {pk for pk, d in due.items() if d < on}, f"overdue on {on}"
    for first, last in itertools.combinations_with_replacement([*checked_days[::3], due_on], 2):
        first, last = min(first, last), max(first, last)
        between = set(
            User.objects.filter(district=district).filter(cycle.due_between_q(first, last)).values_list("pk", flat=True)
        )
        assert between == {pk for pk, d in due.items() if first <= d <= last}, f"due between {first} and {last}"


def test_it_asks_the_due_date_rule_through_a_relation_too(world, cycle):
    hire = staff_at(world.school, started_on=day(11, 15))  # due December 15
    for person in (world.staff, hire):
        services.disclosure_start(acting_user=person, cycle=cycle)
    drafts = Disclosure.objects.filter(cycle=cycle)

    def who(q):
        return set(drafts.filter(q).values_list("employee__email", flat=True))

    assert who(cycle.due_between_q(day(12, 1), day(12, 1), prefix="employee__")) == {world.staff.email}
    assert who(cycle.due_between_q(day(12, 2), day(12, 15), prefix="employee__")) == {hire.email}
    assert who(cycle.overdue_q(day(12, 15), prefix="employee__")) == {world.staff.email}
    assert who(cycle.overdue_q(day(12, 16), prefix="employee__")) == {world.staff.email, hire.email}


def test_it_finds_the_cycle_for_a_school_year(world, cycle):
    assert selectors.cycle_for_year(world.district, day(7, 1)) == cycle
    assert selectors.cycle_for_year(world.district, day(6, 30, 2027)) == cycle
    assert selectors.cycle_for_year(world.district, day(6, 30)) is None
    assert selectors.cycle_for_year(world.other_district, day(11, 21)) is None
