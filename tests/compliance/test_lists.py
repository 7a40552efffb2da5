"""Every role's list: each item there while it is owed, gone once it is done, the most urgent first,
and offered only to someone who can act on it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.models import Approver, RosterImport, RosterImportStatus
from authorizations.services import authorization_decline
from compliance import measures, notions, readers
from compliance import selectors as compliance_selectors
from compliance.items import Urgency
from consent import services as consent_services
from consent.models import ConsentImport, ConsentImportStatus
from disclosures.services import disclosure_cycle_create
from registry.models import AccountStatus, ReviewOutcome
from registry.services import account_review_record, administrator_acknowledge_policy
from tests.conftest import TODAY
from tests.disclosures.conftest import open_cycle
from tests.disclosures.filing import file_none
from tests.factories import (
    AdministratorFactory,
    AuthorizationFactory,
    ProgramFactory,
    SchoolFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolRequestFactory,
    staff_at,
)
from tools import services as tool_services
from tools.models import ApprovalPower

pytestmark = pytest.mark.django_db
LATE = datetime.date(2026, 12, 5)  # four days after North's disclosures were due


def own(user, on: datetime.date, key: str = "own"):
    [section] = [s for s in compliance_selectors.own_sections(user, on) if s.key == key]
    return section


def keys(section) -> list[str]:
    return [item.key for item in section.items]


@pytest.fixture
def administered(world):
    """Two live accounts the staff member administers, not yet acknowledged; the first's review is overdue."""
    overdue = SocialAccountFactory(school=world.school, display_name="Band", next_review_on=datetime.date(2026, 10, 1))
    calm = SocialAccountFactory(school=world.school, display_name="Choir", next_review_on=datetime.date(2027, 9, 1))
    return [AdministratorFactory(account=account, user=world.staff) for account in (overdue, calm)]


# --- Staff ------------------------------------------------------------------------------------


def test_a_staff_member_with_a_late_disclosure_an_overdue_review_and_two_acknowledgements_sees_them_all(
    world, administered, on
):
    open_cycle(world)
    with on(LATE):
        section = own(world.staff, LATE)
    assert keys(section) == [  # the older deadline first: the review was due October 1
        "own_account_review_overdue",
        "own_disclosure_late",
        "own_account_acknowledgement",
        "own_account_acknowledgement",
    ]
    assert [item.urgency for item in section.items] == [Urgency.URGENT, Urgency.URGENT, Urgency.SOON, Urgency.SOON]
    late = section.items[1]
    assert late.url == reverse("disclosures:home") and "December 1, 2026" in late.detail
    assert section.items[0].url == reverse("registry:account_review", args=[administered[0].account_id])


def test_each_item_leaves_the_staff_members_list_once_done(world, administered, on):
    cycle = open_cycle(world)
    with on(LATE):
        file_none(world.staff, cycle)
        account_review_record(
            acting_user=world.staff,
            account=administered[0].account,
            outcome=ReviewOutcome.RECERTIFIED,
            administrators_confirmed=True,
            purpose_confirmed=True,
            follows_policy=True,
        )
        for designation in administered:
            administrator_acknowledge_policy(acting_user=world.staff, administrator=designation)
        section = own(world.staff, LATE)
    assert section.items == []
    assert any("filed" in entry.what for entry in section.checked)


def test_a_disclosure_due_later_is_on_the_list_but_not_urgent(world, today):
    open_cycle(world)  # due December 1, ten days away
    [item] = own(world.staff, TODAY).items
    assert (item.key, item.urgency, item.due_on) == ("own_disclosure_due", Urgency.SOON, datetime.date(2026, 12, 1))


def test_a_returned_disclosure_shows_the_comment_meant_for_the_employee_not_the_internal_note(world, today):
    from disclosures.services import disclosure_comment_add, disclosure_return

    cycle = open_cycle(world)
    filed = file_none(world.staff, cycle)
    disclosure_comment_add(acting_user=world.director, disclosure=filed, text="Internal: check with HR.")
    disclosure_return(acting_user=world.director, disclosure=filed, comment="Add the booster club's page.")
    [item] = own(world.staff, TODAY).items
    assert item.key == "own_disclosure_returned" and item.urgency == Urgency.URGENT
    assert "Add the booster club's page." in item.detail and "HR" not in item.detail


def test_a_staff_member_sees_where_their_requests_stand_and_the_answer_for_two_weeks(world, today, on):
    request = ToolRequestFactory(requested_by=world.staff, tool_name="Padlet")
    [item] = own(world.staff, TODAY, "requests").items
    assert (item.status, item.to_do) == ("Waiting", False)
    tool_services.tool_request_decline(
        acting_user=world.superintendent, tool_request=request, decided_as="superintendent", reason="No agreement."
    )
    [item] = own(world.staff, TODAY, "requests").items
    assert item.status == "Answered" and "No agreement." in item.detail
    later = TODAY + datetime.timedelta(days=15)
    with on(later):
        assert own(world.staff, later, "requests").items == []


def test_a_teacher_is_told_which_students_may_not_use_a_class_tool_yet(world, today):
    from tests.dashboards.conftest import populate, set_up_district

    set_up_district(world)
    populated = populate(world, world.school)
    teacher = populated.authorization.staff_member
    [item] = [i for i in own(teacher, TODAY).items if i.key == "own_class_missing_consent"]
    assert item.urgency == Urgency.URGENT and item.title.startswith("1 student in Robotics Club")


# --- Roles ------------------------------------------------------------------------------------


def test_the_communications_office_sees_the_pages_to_see_before_launch(world, today):
    SocialAccountFactory(school=world.school, status=AccountStatus.AWAITING_COMMUNICATIONS, launched_on=None)
    [item] = own(world.communications, TODAY, "communications").items
    assert item.title == "See 1 page before launch"
    assert item.url == reverse("registry:account_list") + "?attention=awaiting_communications"
    assert not [s for s in compliance_selectors.own_sections(world.staff, TODAY) if s.key == "communications"]


def test_the_superintendent_sees_the_decisions_the_policy_reserves_to_them(world, today):
    ToolRequestFactory(requested_by=world.staff)
    ToolRequestFactory(requested_by=world.staff)
    AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    section = own(world.superintendent, TODAY, "decisions")
    assert {item.key: item.count for item in section.items} == {"tool_requests_waiting": 2, "authorizations_waiting": 1}
    assert not [s for s in compliance_selectors.own_sections(world.director, TODAY) if s.key == "decisions"]


def test_a_designee_sees_only_the_decisions_they_were_designated_for(world, today):
    world.district.tool_approver = Approver.SUPERINTENDENT_OR_DESIGNEE
    world.district.instructional_use_approver = Approver.SUPERINTENDENT
    world.district.save()
    tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power=ApprovalPower.TOOLS
    )
    ToolRequestFactory(requested_by=world.staff)
    AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    assert keys(own(world.director, TODAY, "decisions")) == ["tool_requests_waiting"]


def test_a_decided_request_leaves_the_deciders_list(world, today):
    authorization = AuthorizationFactory(program=ProgramFactory(school=world.school), staff_member=world.staff)
    authorization_decline(
        acting_user=world.superintendent, authorization=authorization, decided_as="superintendent", reason="No."
    )
    assert own(world.superintendent, TODAY, "decisions").items == []


def test_a_clerk_collects_forms_under_written_consent_and_applies_checked_files(world, today):
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    StudentFactory.create_batch(2, school=world.school)
    StudentFactory(school=world.other_school)  # another school's: not this clerk's
    ConsentImport.objects.create(
        district=world.district, uploaded_by=world.clerk, file_name="forms.csv", status=ConsentImportStatus.PREVIEWED
    )
    section = own(world.clerk, TODAY, "consent")
    forms = [item for item in section.items if item.key == "consent_forms_to_collect"]
    assert forms and all(item.count == 2 and "North High" in item.title for item in forms)
    assert "consent_answers_to_enter" in keys(section)


def test_an_opt_out_district_asks_its_clerks_to_chase_nothing(world, today):
    world.district.photo_model = "opt_out"
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    StudentFactory.create_batch(2, school=world.school)
    section = own(world.clerk, TODAY, "consent")
    assert section.items == [] and section.checked


# --- Principals and directors: their dashboards' lists -----------------------------------------


def school_items(user, school, on=TODAY):
    return compliance_selectors.school_list(school, readers.at_school(user, school), on).items


def test_a_principal_is_not_asked_to_decide_account_requests_the_director_is(world, today):
    SocialAccountFactory(school=world.school, status=AccountStatus.REQUESTED, launched_on=None)
    assert "accounts_awaiting_approval" not in [item.key for item in school_items(world.principal, world.school)]
    assert "accounts_awaiting_approval" in [item.key for item in school_items(world.director, world.school)]


def test_a_principal_follows_late_disclosures_only_where_the_policy_sends_them_to_the_school(world, on):
    open_cycle(world, disclosure_recipient="district")
    staff_at(world.school)
    with on(LATE):
        assert "disclosures_late" not in [i.key for i in school_items(world.principal, world.school, LATE)]
        world.district.disclosure_recipient = "school"
        world.district.save()
        assert "disclosures_late" in [i.key for i in school_items(world.principal, world.school, LATE)]


def district_items(user, on=TODAY):
    district = user.district
    cycle = notions.cycle_today(district, on)
    scope = measures.main_scope(district)
    totals = measures.district_measures(district, on, cycle=cycle, scope=scope).totals
    return compliance_selectors.district_items(
        district, totals, cycle=cycle, scope=scope, reader=readers.at_district(user, district), on=on
    )


def test_a_school_year_without_its_cycle_is_urgent_for_the_director_from_its_first_day(world, on):
    """North requires disclosures; its 2025-26 cycle ran, nobody set up 2026-27. On June 30 nothing is
    missing; from July 1 the director's first item is to open it, and the score counts nobody filed."""
    world.district.school_year_start_month = 7
    world.district.save()
    last_year = disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=2025,
        opens_on=datetime.date(2025, 9, 1),
        due_on=datetime.date(2025, 10, 1),
    )
    for person in (world.staff, world.principal, world.clerk):
        with on(datetime.date(2025, 9, 15)):
            file_none(person, last_year)
    june_30, july_1 = datetime.date(2026, 6, 30), datetime.date(2026, 7, 1)
    with on(june_30):
        assert "disclosure_cycle_missing" not in [item.key for item in district_items(world.director, june_30)]
        reader = readers.at_school(world.director, world.school)
        before = compliance_selectors.school_list(world.school, reader, june_30)
    with on(july_1):
        first = district_items(world.director, july_1)[0]
        after = compliance_selectors.school_list(world.school, readers.at_school(world.director, world.school), july_1)
        staff_list = own(world.staff, july_1)
    assert (first.key, first.urgency, first.due_on) == ("disclosure_cycle_missing", Urgency.URGENT, july_1)
    assert first.url == reverse("disclosures:cycle_new", args=[world.district.slug])
    parts = {part.key: (part.done, part.total) for part in after.measures.parts}
    assert parts["disclosures"][0] == 0 and parts["disclosures"][1] > 0  # counts against the score
    assert before.measures.score is not None and after.measures.score is not None
    assert after.measures.score < before.measures.score
    # The principal cannot open a cycle: it is not on their list, but their score shows it.
    assert "disclosure_cycle_missing" not in [i.key for i in school_items(world.principal, world.school, july_1)]
    assert "own_disclosure_late" not in keys(staff_list)  # nothing staff can file yet


def test_the_director_is_asked_to_import_the_roster_while_the_district_is_empty(world, today):
    first = next(i for i in district_items(world.director) if i.key == "roster_never_imported")
    assert first.urgency == Urgency.URGENT and "no students yet" in first.detail
    StudentFactory(school=world.school)
    item = next(i for i in district_items(world.director) if i.key == "roster_never_imported")
    assert item.urgency == Urgency.LATER


def test_the_director_hears_of_a_refused_roster_and_schools_without_a_principal(world, today):
    RosterImport.objects.create(
        district=world.district, file_name="roster.zip", status=RosterImportStatus.FAILED, report={"problem_count": 3}
    )
    SchoolFactory(district=world.district, name="New Middle")
    by_key = {item.key: item for item in district_items(world.director)}
    assert "3 problem(s)" in by_key["roster_refused"].detail
    assert by_key["schools_without_principal"].title == "Assign a principal to 1 school"
    assert "roster_refused" not in [i.key for i in district_items(world.superintendent)]  # not theirs to run


# --- Nothing due ------------------------------------------------------------------------------


def test_an_empty_list_says_what_was_checked_and_when_the_next_thing_is_due(client, world, today):
    cycle = open_cycle(world)
    file_none(world.staff, cycle)
    account = SocialAccountFactory(
        school=world.school, display_name="Chess Club", next_review_on=datetime.date(2027, 3, 1)
    )
    designation = AdministratorFactory(account=account, user=world.staff)
    administrator_acknowledge_policy(acting_user=world.staff, administrator=designation)
    client.force_login(world.staff)
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is due" in page
    assert "Your 2026–27 disclosure: filed" in page
    assert "The 1 account you administer" in page
    assert "Next: Review of Chess Club on Instagram on March 1, 2027." in page
