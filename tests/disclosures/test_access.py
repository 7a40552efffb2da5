"""Who sees and reviews whose disclosures, under each of the policy's recipient settings. Staff
see their own; district leadership sees its district; principals and supervisors see the
people they cover only when the policy sends disclosures to them; no district sees another's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import DisclosureRecipient, User
from disclosures import access, services
from disclosures.models import DisclosureCycle
from tests.disclosures.filing import file_none
from tests.factories import MembershipFactory, staff_at

NORTH = ["director", "superintendent", "communications", "principal", "clerk", "staff", "other_principal"]
AT_SCHOOL = ["director", "superintendent", "communications", "principal", "clerk", "staff"]  # all hold a post there


def fresh(user):
    """The same person read again, without the roles cached on the object."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def south_cycle(world, today):
    return services.disclosure_cycle_create(
        acting_user=world.foreign_director,
        district=world.other_district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
    )


@pytest.fixture
def people(world, cycle, south_cycle):
    """Everybody in the world has filed; names are persona names, plus a teacher at each other school."""
    people = {name: world.persona(name) for name in NORTH}
    people["other_teacher"] = staff_at(world.other_school, email="teacher2@north.example.org")
    people["foreign_director"] = world.foreign_director
    people["foreign_principal"] = world.foreign_principal
    people["foreign_teacher"] = staff_at(world.foreign_school, email="teacher@south.example.org")
    for person in people.values():
        file_none(person, south_cycle if person.district_id == world.other_district.pk else cycle)
    return people


def set_recipient(world, recipient):
    world.district.disclosure_recipient = recipient
    world.district.save()
    world.other_district.disclosure_recipient = recipient
    world.other_district.save()


def visible(people, user):
    """Names (as in `people`) of the employees whose disclosures `user` sees."""
    by_pk = {person.pk: name for name, person in people.items()}
    return {by_pk[pk] for pk in access.visible_disclosures(user).values_list("employee_id", flat=True)}


def covered(people, user):
    by_pk = {person.pk: name for name, person in people.items()}
    return {by_pk[pk] for pk in access.covered_staff(user).values_list("pk", flat=True)}


ALL_NORTH = {*NORTH, "other_teacher"}
ALL_SOUTH = {"foreign_director", "foreign_principal", "foreign_teacher"}


# --- Recipient: the district office -----------------------------------------------------------------


@pytest.mark.parametrize("leader", ["director", "superintendent"])
def test_it_shows_district_leadership_every_disclosure_of_their_district(world, people, leader):
    set_recipient(world, DisclosureRecipient.DISTRICT)

    assert visible(people, people[leader]) == ALL_NORTH
    assert covered(people, people[leader]) == ALL_NORTH - {leader}


@pytest.mark.parametrize("persona", ["communications", "principal", "clerk", "staff", "other_principal"])
def test_it_shows_everyone_else_only_their_own_when_disclosures_go_to_the_district(world, people, persona):
    set_recipient(world, DisclosureRecipient.DISTRICT)
    people["staff"].supervisor = people[persona] if persona != "staff" else people["clerk"]
    people["staff"].save()

    assert visible(people, people[persona]) == {persona}
    assert covered(people, people[persona]) == set()
    assert not access.can_review_anyone(people[persona])


# --- Recipient: the school ------------------------------------------------------------------------


def test_it_shows_principals_the_staff_of_their_own_school(world, people):
    set_recipient(world, DisclosureRecipient.SCHOOL)

    assert visible(people, people["principal"]) == set(AT_SCHOOL)
    assert visible(people, people["other_principal"]) == {"other_principal", "other_teacher"}
    assert covered(people, people["principal"]) == set(AT_SCHOOL) - {"principal"}
    assert visible(people, world.foreign_principal) == ALL_SOUTH  # the director holds a post at that school too


def test_it_shows_a_principal_someone_who_works_at_both_schools(world, people):
    set_recipient(world, DisclosureRecipient.SCHOOL)
    MembershipFactory(user=people["other_teacher"], school=world.school)

    assert "other_teacher" in visible(people, people["principal"])
    assert "other_teacher" in visible(people, people["other_principal"])


def test_it_stops_showing_a_principal_someone_who_no_longer_works_there(world, people, today):
    set_recipient(world, DisclosureRecipient.SCHOOL)
    people["staff"].memberships.update(ended_on=today)

    assert "staff" not in visible(people, people["principal"])
    assert "staff" in visible(people, people["director"])


def test_it_stops_showing_a_former_principal_their_old_school(world, people, today):
    set_recipient(world, DisclosureRecipient.SCHOOL)
    people["principal"].memberships.filter(role="principal").update(ended_on=today)

    assert visible(people, fresh(people["principal"])) == {"principal"}


@pytest.mark.parametrize("persona", ["communications", "clerk", "staff"])
def test_it_shows_other_school_roles_only_their_own_when_disclosures_go_to_the_school(world, people, persona):
    set_recipient(world, DisclosureRecipient.SCHOOL)

    assert visible(people, people[persona]) == {persona}


def test_it_does_not_show_supervisors_their_staff_when_disclosures_go_to_the_school(world, people):
    set_recipient(world, DisclosureRecipient.SCHOOL)
    people["staff"].supervisor = people["clerk"]
    people["staff"].save()

    assert visible(people, people["clerk"]) == {"clerk"}


# --- Recipient: the supervisor --------------------------------------------------------------------


def test_it_shows_supervisors_the_people_they_supervise(world, people):
    set_recipient(world, DisclosureRecipient.SUPERVISOR)
    for supervisee in ("staff", "other_teacher"):
        people[supervisee].supervisor = people["clerk"]
        people[supervisee].save()

    assert visible(people, people["clerk"]) == {"clerk", "staff", "other_teacher"}
    assert covered(people, people["clerk"]) == {"staff", "other_teacher"}
    assert visible(people, people["staff"]) == {"staff"}


def test_it_still_shows_principals_their_schools_staff_when_disclosures_go_to_the_supervisor(world, people):
    set_recipient(world, DisclosureRecipient.SUPERVISOR)
    people["staff"].supervisor = people["clerk"]
    people["staff"].save()

    assert visible(people, people["principal"]) == set(AT_SCHOOL)
    assert visible(people, people["other_principal"]) == {"other_principal", "other_teacher"}
    assert visible(people, people["director"]) == ALL_NORTH


def test_it_never_shows_a_supervisor_in_another_district_their_supervisee(world, people):
    set_recipient(world, DisclosureRecipient.SUPERVISOR)
    people["staff"].supervisor = world.foreign_principal  # a stale link, e.g. after someone moved districts
    people["staff"].save()

    assert "staff" not in visible(people, world.foreign_principal)
    assert not access.can_review(world.foreign_principal, access.visible_disclosures(people["staff"]).get())


# --- No district sees another's ---------------------------------------------------------------------


@pytest.mark.parametrize("recipient", DisclosureRecipient.values)
def test_it_never_shows_one_district_another_districts_disclosures(world, people, recipient):
    set_recipient(world, recipient)

    for name in ALL_NORTH:
        assert not visible(people, people[name]) & ALL_SOUTH, name
    for name in ALL_SOUTH:
        assert not visible(people, people[name]) & ALL_NORTH, name
    assert visible(people, world.foreign_director) == ALL_SOUTH


def test_it_shows_a_platform_operator_every_district_that_requires_disclosures(world, people, superuser):
    assert visible(people, superuser) == ALL_NORTH | ALL_SOUTH

    world.other_district.disclosure_required = False
    world.other_district.save()
    assert visible(people, superuser) == ALL_NORTH


def test_it_shows_nothing_to_someone_signed_out(world, people):
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_disclosures(AnonymousUser()).exists()
    assert not access.covered_staff(AnonymousUser()).exists()


# --- The feature switched off ------------------------------------------------------------------------


def test_it_shows_nothing_when_the_district_requires_no_disclosure(world, people):
    own = access.visible_disclosures(people["staff"]).get()
    world.district.disclosure_required = False
    world.district.save()

    for name in ALL_NORTH:
        assert not access.visible_disclosures(people[name]).exists(), name
        assert not access.covered_staff(people[name]).exists(), name
    assert not access.can_review(people["director"], own)
    with pytest.raises(Http404):
        access.get_disclosure_for_user(people["staff"], own.pk)
    with pytest.raises(Http404):
        access.get_own_disclosure_for_user(people["staff"], own.pk)
    assert not access.visible_cycles(people["director"]).exists()
    assert visible(people, world.foreign_director) == ALL_SOUTH  # the district next door is unaffected


# --- can_review --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recipient", "reviewers"),
    [
        (DisclosureRecipient.DISTRICT, {"director", "superintendent"}),
        (DisclosureRecipient.SCHOOL, {"director", "superintendent", "principal"}),
        (DisclosureRecipient.SUPERVISOR, {"director", "superintendent", "principal", "clerk"}),
    ],
)
def test_it_lets_exactly_the_recipients_review(world, people, recipient, reviewers):
    set_recipient(world, recipient)
    people["staff"].supervisor = people["clerk"]
    people["staff"].save()
    filing = access.visible_disclosures(people["staff"]).get()

    assert {name for name, person in people.items() if access.can_review(person, filing)} == reviewers


def test_it_never_lets_anyone_review_their_own(world, people, superuser):
    for name, person in people.items():
        own = access.visible_disclosures(person).get(employee=person)
        assert not access.can_review(person, own), name
    operator_filing = access.visible_disclosures(people["director"]).filter(employee=people["staff"]).get()
    assert access.can_review(superuser, operator_filing)


def test_it_covers_staff_without_any_filing(world, cycle):
    newcomer = staff_at(world.other_school)

    assert newcomer in access.covered_staff(world.director)
    assert newcomer not in access.covered_staff(world.foreign_director)
    assert access.can_review_anyone(world.director)
    assert not access.can_review_anyone(world.staff)


# --- Look-ups for views ------------------------------------------------------------------------------


def test_it_finds_a_disclosure_within_reach_and_hides_the_rest(world, people):
    set_recipient(world, DisclosureRecipient.SCHOOL)
    teacher = access.visible_disclosures(people["staff"]).get()
    other_teacher = access.visible_disclosures(people["other_teacher"]).get()
    foreign = access.visible_disclosures(people["foreign_teacher"]).get()

    assert access.get_disclosure_for_user(people["principal"], teacher.pk) == teacher
    assert access.get_disclosure_for_user(people["staff"], teacher.pk) == teacher
    for user, pk in [
        (people["principal"], other_teacher.pk),
        (people["staff"], other_teacher.pk),
        (people["clerk"], teacher.pk),
        (people["director"], foreign.pk),
        (world.foreign_director, teacher.pk),
    ]:
        with pytest.raises(Http404):
            access.get_disclosure_for_user(user, pk)
    for pk in (foreign.pk + 10_000, "not-a-number", 2**70):
        with pytest.raises(Http404):
            access.get_disclosure_for_user(people["director"], pk)


def test_it_finds_only_ones_own_disclosure_and_networks_to_change(world, people):
    teacher = access.visible_disclosures(people["staff"]).get()
    amendment = services.disclosure_amend(acting_user=people["staff"], disclosure=teacher)
    services.disclosure_set_none(acting_user=people["staff"], disclosure=amendment, takes_part_in_none=False)
    network = services.network_add(
        acting_user=people["staff"],
        disclosure=amendment,
        platform="instagram",
        name="Chess club",
        run_by="student_group",
        part="follower",
    )

    assert access.get_own_disclosure_for_user(people["staff"], amendment.pk) == amendment
    assert access.get_own_network_for_user(people["staff"], network.pk) == network
    with pytest.raises(Http404):
        access.get_own_disclosure_for_user(people["director"], amendment.pk)
    with pytest.raises(Http404):
        access.get_own_network_for_user(people["director"], network.pk)


# --- Cycles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "manages"),
    [
        ("director", True),
        ("superintendent", True),
        ("communications", False),
        ("principal", False),
        ("clerk", False),
        ("staff", False),
        ("foreign_director", False),
    ],
)
def test_it_lets_only_district_leadership_manage_cycles(world, cycle, persona, manages):
    user = world.persona(persona)

    assert access.can_manage_cycles(user, world.district) is manages
    if manages:
        assert access.get_managed_cycle_for_user(user, cycle.pk) == cycle
        services.disclosure_cycle_update(acting_user=user, cycle=cycle, due_on=datetime.date(2026, 12, 5))
    else:
        with pytest.raises((PermissionDenied, Http404)):
            access.get_managed_cycle_for_user(user, cycle.pk)
        with pytest.raises(PermissionDenied):
            services.disclosure_cycle_update(acting_user=user, cycle=cycle, due_on=datetime.date(2026, 12, 5))
        with pytest.raises(PermissionDenied):
            services.disclosure_cycle_create(
                acting_user=user,
                district=world.district,
                school_year_start=2027,
                opens_on=datetime.date(2027, 9, 1),
                due_on=datetime.date(2027, 12, 1),
            )
        assert DisclosureCycle.objects.get(pk=cycle.pk).due_on == datetime.date(2026, 12, 1)


def test_it_lets_nobody_manage_cycles_when_the_district_requires_no_disclosure(world, cycle, superuser):
    assert access.can_manage_cycles(superuser, world.district)
    world.district.disclosure_required = False
    world.district.save()

    assert not access.can_manage_cycles(world.director, world.district)
    assert not access.can_manage_cycles(superuser, world.district)


def test_it_shows_cycles_to_everyone_in_the_district_only(world, cycle, south_cycle):
    for persona in ("director", "principal", "clerk", "staff"):
        assert list(access.visible_cycles(world.persona(persona))) == [cycle], persona
        assert access.get_cycle_for_user(world.persona(persona), cycle.pk) == cycle
    assert list(access.visible_cycles(world.foreign_principal)) == [south_cycle]
    with pytest.raises(Http404):
        access.get_cycle_for_user(world.foreign_principal, cycle.pk)
