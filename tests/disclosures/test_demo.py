"""The demo's disclosures: two school years in every state a reviewer meets, whatever the day."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

import accounts.demo
import disclosures.demo
from accounts.models import District, User
from disclosures import access, selectors
from disclosures.models import Disclosure, DisclosureCycle, DisclosureState, ReviewVisibility

pytestmark = pytest.mark.django_db

# Mid-year, the school year's second day, and its last day.
DAYS = [datetime.date(2026, 11, 21), datetime.date(2026, 7, 2), datetime.date(2027, 6, 30)]


@pytest.fixture
def on(request):
    """Load the demo as it would be loaded on the given day (the demo dates everything from it)."""
    day = getattr(request, "param", DAYS[0])
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC), tick=True):
        yield day


def load() -> None:
    accounts.demo.load_demo()
    disclosures.demo.load_demo()


def user(local: str, district: str = "willmar") -> User:
    return User.objects.get(email=f"{local}@{district}.example.org")


def current_cycle(slug: str, day: datetime.date) -> DisclosureCycle:
    return selectors.cycle_for_year(District.objects.get(slug=slug), day)


def test_it_changes_nothing_when_loaded_twice(on):
    call_command("load_demo", stdout=None)
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    employment = set(User.objects.values_list("pk", "started_on", "supervisor_id"))

    call_command("load_demo", stdout=None)

    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == counts
    assert set(User.objects.values_list("pk", "started_on", "supervisor_id")) == employment
    assert Disclosure.objects.exists()


def test_it_opens_this_and_last_years_cycles_only_where_the_policy_requires_disclosure(on):
    load()

    cycles = {
        district.slug: sorted(district.disclosure_cycles.values_list("school_year_start", flat=True))
        for district in District.objects.all()
    }
    year = on.year
    assert cycles == {
        "willmar": [year - 1, year],
        "henning": [year - 1, year],
        "lakeshore": [year - 1, year],
        "bloomington": [],
        "litchfield": [],
    }


@pytest.mark.parametrize("on", DAYS, indirect=True)
def test_it_shows_every_state_in_willmar_whatever_the_day(on):
    load()
    cycle = current_cycle("willmar", on)

    assert cycle.opens_on <= cycle.due_on < on
    staff = selectors.with_status(selectors.staff_who_must_file(cycle, on), cycle)
    assert set(staff.values_list("disclosure_state", flat=True)) == set(DisclosureState.values)
    totals = selectors.tracking_totals(selectors.staff_who_must_file(cycle, on), cycle, on)
    assert totals["filed_late"] == 1
    assert totals["late"] >= 3  # several have not started, and the due date has passed
    assert totals["accepted"] >= 3
    assert totals["waiting_review"] >= 2
    # One draft still has a network carried forward from last year, not yet confirmed.
    draft = Disclosure.objects.get(cycle=cycle, employee=user("teacher3.s1"))
    assert draft.state == DisclosureState.DRAFT
    assert draft.networks.filter(confirmed=False, carried_from__isnull=False).exists()
    # The returned one says why, to the employee.
    returned = selectors.returned_to_employee(cycle).get()
    assert returned.comments.filter(visibility=ReviewVisibility.EMPLOYEE).exists()
    # The demo principal has a colleague's disclosure waiting for them.
    principal = user("principal.s1")
    queue = selectors.review_queue(access.visible_disclosures(principal), principal)
    assert queue.filter(employee=user("coach.s1")).exists()
    # The demo teacher has not started: last year's two networks wait to be carried forward.
    teacher = user("teacher1.s1")
    assert not Disclosure.objects.filter(cycle=cycle, employee=teacher).exists()
    last_year = selectors.standing_filings(selectors.previous_cycle(cycle)).get(employee=teacher)
    assert (last_year.state, last_year.networks.count()) == (DisclosureState.ACCEPTED, 2)
    # Only the one filed late was filed after the due date, in each district.
    for slug in ("willmar", "henning", "lakeshore"):
        cycle = current_cycle(slug, on)
        late = selectors.standing_filings(cycle).filter(filed_late=True)
        assert list(late.values_list("employee__email", flat=True)) == [f"communications@{slug}.example.org"]
        for filing in selectors.standing_filings(cycle).filter(filed_late=False):
            first = filing if filing.amends_id is None else filing.amends
            assert timezone.localdate(first.submitted_at) <= cycle.due_on


def test_it_dates_last_year_in_last_year(on):
    load()
    cycle = selectors.previous_cycle(current_cycle("willmar", on))
    filings = selectors.standing_filings(cycle)

    assert filings.count() == filings.filter(state=DisclosureState.ACCEPTED).count() > 10
    assert list(filings.filter(filed_late=True).values_list("employee__email", flat=True)) == [
        "communications@willmar.example.org"
    ]
    for filing in filings:
        assert cycle.opens_on <= timezone.localdate(filing.submitted_at) <= cycle.due_on + datetime.timedelta(days=9)
        assert filing.submitted_at <= filing.decided_at < timezone.now() - datetime.timedelta(days=100)
    history = Disclosure.history.filter(cycle=cycle)
    assert not history.filter(history_date__gte=timezone.now() - datetime.timedelta(days=100)).exists()
    assert cycle.history.get().history_date < timezone.make_aware(
        datetime.datetime.combine(cycle.opens_on, datetime.time())
    )


def test_it_gives_a_new_hire_the_grace_period(on):
    load()
    cycle = current_cycle("willmar", on)
    new_hire = user("teacher3.s2")

    assert new_hire.started_on == on - datetime.timedelta(days=21)
    assert cycle.due_on_for(new_hire.started_on) > on
    assert not selectors.late(cycle, on).filter(pk=new_hire.pk).exists()


def test_it_sends_lakeshore_disclosures_to_supervisors(on):
    load()
    lead = user("teacher1.s1", "lakeshore")

    assert user("coach.s1", "lakeshore").supervisor == lead
    assert user("principal.s1", "lakeshore").supervisor == user("superintendent", "lakeshore")
    assert (
        selectors.review_queue(access.visible_disclosures(lead), lead)
        .filter(employee__email__startswith="coach.s1")
        .exists()
    )
    assert not User.objects.filter(district__slug="willmar", supervisor__isnull=False).exists()
