"""Filing a disclosure: drafts, last year's networks, signing, amendments, revisions and
signing a changed attestation again. Every version an employee signed is kept as signed."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from disclosures import selectors, services
from disclosures.models import (
    DisclosedNetwork,
    Disclosure,
    DisclosureCycle,
    DisclosureState,
    NetworkPart,
    NetworkPlatform,
    NetworkRunBy,
    StudentMembership,
    attestation_digest,
)
from disclosures.services import DisclosureRefused
from tests.disclosures.filing import add_network, file_networks, file_none, reload, sign
from tests.factories import ProgramFactory, staff_at

CHANGED_WHILE_SIGNING = "changed the attestation while you were signing"
NEW_TEXT = "I have listed every network created by a student group or the public that I take part in."


def at(day: datetime.date, hour: int = 12):
    """Freeze the clock at midday (UTC) of `day`; the district's local date is the same day."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC), tick=False)


# --- Starting -----------------------------------------------------------------------------------


def test_it_starts_an_empty_draft_for_the_employee(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    stored = reload(draft)
    assert stored.state == DisclosureState.DRAFT
    assert (stored.employee, stored.cycle, stored.version, stored.amends) == (world.staff, cycle, 1, None)
    assert not stored.takes_part_in_none
    assert not stored.networks.exists()
    assert stored.signed_name == "" and stored.submitted_at is None


def test_it_returns_the_existing_draft_when_started_again(world, cycle):
    first = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, first)

    again = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    assert again.pk == first.pk
    assert Disclosure.objects.filter(employee=world.staff).count() == 1
    assert again.networks.count() == 1


def test_it_refuses_to_start_before_the_cycle_opens(world, cycle):
    with at(datetime.date(2026, 8, 31)), pytest.raises(DisclosureRefused, match="opens on September 1, 2026"):
        services.disclosure_start(acting_user=world.staff, cycle=cycle)
    assert not Disclosure.objects.exists()

    with at(datetime.date(2026, 9, 1)):
        assert services.disclosure_start(acting_user=world.staff, cycle=cycle).is_draft


def test_it_refuses_to_start_when_the_district_requires_no_disclosure(world, cycle):
    world.district.disclosure_required = False
    world.district.save()
    cycle = DisclosureCycle.objects.get(pk=cycle.pk)

    with pytest.raises(PermissionDenied):
        services.disclosure_start(acting_user=world.staff, cycle=cycle)
    assert not Disclosure.objects.exists()


def test_it_refuses_to_start_for_someone_of_another_district(world, cycle):
    with pytest.raises(PermissionDenied):
        services.disclosure_start(acting_user=world.foreign_principal, cycle=cycle)
    assert not Disclosure.objects.exists()


def test_it_refuses_to_start_a_second_filing_once_filed(world, cycle):
    file_none(world.staff, cycle)

    with pytest.raises(DisclosureRefused, match="already filed"):
        services.disclosure_start(acting_user=world.staff, cycle=cycle)
    assert Disclosure.objects.filter(employee=world.staff).count() == 1


# --- Last year's networks -------------------------------------------------------------------------


@pytest.fixture
def last_year(world, cycle):
    """North's 2025–26 cycle, in which the teacher filed two networks."""
    with at(datetime.date(2025, 8, 20)):
        previous = services.disclosure_cycle_create(
            acting_user=world.director,
            district=world.district,
            school_year_start=2025,
            opens_on=datetime.date(2025, 8, 25),
            due_on=datetime.date(2025, 10, 1),
        )
    with at(datetime.date(2025, 9, 15)):
        program = ProgramFactory(school=world.school, name="Robotics")
        draft = services.disclosure_start(acting_user=world.staff, cycle=previous)
        add_network(world.staff, draft, name="Band parents", url="https://facebook.example.org/band")
        add_network(
            world.staff,
            draft,
            name="Robotics team chat",
            platform=NetworkPlatform.DISCORD,
            run_by=NetworkRunBy.STUDENT_GROUP,
            part=NetworkPart.MODERATOR,
            program=program,
            students_are_members=StudentMembership.YES,
        )
        sign(world.staff, draft)
    return previous


def test_it_carries_last_years_networks_forward_unconfirmed(world, cycle, last_year):
    filed_last_year = selectors.standing_filings(last_year).get(employee=world.staff)

    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    carried = list(draft.networks.order_by("position"))
    originals = list(filed_last_year.networks.order_by("position"))
    assert [network.carried_from_id for network in carried] == [network.pk for network in originals]
    assert [network.confirmed for network in carried] == [False, False]
    for copy, original in zip(carried, originals, strict=True):
        for name in services.NETWORK_FIELDS:
            assert getattr(copy, name) == getattr(original, name), name
    assert carried[1].school == world.school  # the program's school came along
    # Last year's filing is left exactly as it was signed.
    assert filed_last_year.networks.count() == 2
    assert all(network.confirmed for network in filed_last_year.networks.all())


def test_it_carries_nothing_when_there_is_no_earlier_filing(world, cycle, last_year):
    draft = services.disclosure_start(acting_user=world.principal, cycle=cycle)

    assert not draft.networks.exists()


def test_it_carries_forward_the_version_on_file_not_a_superseded_one(world, cycle, last_year):
    with at(datetime.date(2025, 11, 1)):
        filed = selectors.standing_filings(last_year).get(employee=world.staff)
        amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
        services.network_remove(acting_user=world.staff, network=amendment.networks.get(name="Band parents"))
        add_network(world.staff, amendment, name="Booster club")
        sign(world.staff, amendment)

    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    assert sorted(draft.networks.values_list("name", flat=True)) == ["Booster club", "Robotics team chat"]
    assert set(draft.networks.values_list("carried_from__disclosure", flat=True)) == {amendment.pk}


def test_it_refuses_to_submit_until_each_carried_network_is_confirmed_or_removed(world, cycle, last_year):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    band, robotics = draft.networks.order_by("position")

    assert services.submission_problems(draft) == [
        "Confirm or remove each network carried from last year (Band parents, Robotics team chat)."
    ]
    with pytest.raises(DisclosureRefused, match="Confirm or remove"):
        sign(world.staff, draft)
    assert reload(draft).is_draft

    services.network_confirm(acting_user=world.staff, network=band)
    assert services.submission_problems(draft) == [
        "Confirm or remove each network carried from last year (Robotics team chat)."
    ]
    services.network_remove(acting_user=world.staff, network=robotics)
    assert services.submission_problems(draft) == []

    sign(world.staff, draft)
    filed = reload(draft)
    assert filed.state == DisclosureState.SUBMITTED
    assert list(filed.networks.values_list("name", "confirmed")) == [("Band parents", True)]
    assert not DisclosedNetwork.objects.filter(pk=robotics.pk).exists()


def test_it_confirms_a_carried_network_when_it_is_changed(world, cycle, last_year):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    band = draft.networks.get(name="Band parents")

    services.network_update(acting_user=world.staff, network=band, name="Marching band parents", part="moderator")

    band.refresh_from_db()
    assert band.confirmed
    assert (band.name, band.part) == ("Marching band parents", NetworkPart.MODERATOR)
    assert band.carried_from.name == "Band parents"  # last year's record is unchanged


def test_it_refuses_to_confirm_a_network_carried_into_someone_elses_draft(world, cycle, last_year):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    band = draft.networks.get(name="Band parents")

    with pytest.raises(PermissionDenied):
        services.network_confirm(acting_user=world.principal, network=band)
    band.refresh_from_db()
    assert not band.confirmed


# --- Networks, or none --------------------------------------------------------------------------


def test_it_needs_networks_or_a_statement_of_none(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    assert services.submission_problems(draft) == [
        "List the networks you take part in, or state that you take part in none."
    ]
    with pytest.raises(DisclosureRefused, match="List the networks"):
        sign(world.staff, draft)

    services.disclosure_set_none(acting_user=world.staff, disclosure=draft, takes_part_in_none=True)
    assert services.submission_problems(draft) == []
    assert sign(world.staff, draft).takes_part_in_none


def test_it_refuses_none_while_networks_are_listed(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, draft)

    with pytest.raises(DisclosureRefused, match="Remove the networks"):
        services.disclosure_set_none(acting_user=world.staff, disclosure=draft, takes_part_in_none=True)
    assert not reload(draft).takes_part_in_none


def test_it_withdraws_the_statement_of_none_when_a_network_is_added(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    services.disclosure_set_none(acting_user=world.staff, disclosure=draft, takes_part_in_none=True)

    add_network(world.staff, draft)

    stored = reload(draft)
    assert not stored.takes_part_in_none
    assert services.submission_problems(stored) == []


def test_it_reports_none_stated_alongside_networks(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, draft)
    Disclosure.objects.filter(pk=draft.pk).update(takes_part_in_none=True)  # as an old form might have left it

    assert services.submission_problems(reload(draft)) == ["You stated that you take part in none but listed networks."]


def test_it_lists_networks_in_the_order_they_were_added(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    for name in ("First", "Second", "Third"):
        add_network(world.staff, draft, name=name)

    assert list(draft.networks.values_list("name", flat=True)) == ["First", "Second", "Third"]


def test_it_takes_a_networks_school_from_its_program(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    program = ProgramFactory(school=world.other_school)

    network = add_network(world.staff, draft, program=program, school=world.school)

    assert network.school == world.other_school
    assert network.relates_to == str(program)


def test_it_refuses_a_school_or_program_of_another_district(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    with pytest.raises(DisclosureRefused, match="school of your district"):
        add_network(world.staff, draft, school=world.foreign_school)
    with pytest.raises(DisclosureRefused, match="program of your district"):
        add_network(world.staff, draft, program=ProgramFactory(school=world.foreign_school))
    assert not draft.networks.exists()


def test_it_refuses_a_network_with_invalid_values(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    with pytest.raises(ValidationError) as refused:
        add_network(world.staff, draft, name="", url="not an address", platform="myspace")

    assert {"name", "url", "platform"} <= set(refused.value.message_dict)
    assert not draft.networks.exists()


# --- Signing and submitting ----------------------------------------------------------------------


@pytest.fixture
def ada(world):
    return staff_at(world.school, first_name="Ada", last_name="Lovelace King")


def test_it_submits_a_signed_draft(world, cycle, ada, today):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    add_network(ada, draft)

    sign(ada, draft)

    filed = reload(draft)
    assert filed.state == DisclosureState.SUBMITTED
    assert filed.is_standing and filed.awaits_review
    assert filed.signed_name == "Ada Lovelace King"
    assert filed.signed_at == filed.submitted_at == timezone.now()
    assert filed.attestation_hash == cycle.attestation_hash == attestation_digest(cycle.attestation_text)
    assert not filed.filed_late


def test_it_accepts_a_signature_that_differs_only_in_case_and_spacing(world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    services.disclosure_set_none(acting_user=ada, disclosure=draft, takes_part_in_none=True)

    sign(ada, draft, name="  ada   LOVELACE\tking ")

    filed = reload(draft)
    assert filed.state == DisclosureState.SUBMITTED
    assert filed.signed_name == "ada LOVELACE king"


@pytest.mark.parametrize("typed", ["Ada", "Ada Lovelace", "AdaLovelace King", "Ada Lovelace King Jr", ""])
def test_it_refuses_a_signature_that_is_not_the_full_name(world, cycle, ada, typed):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    services.disclosure_set_none(acting_user=ada, disclosure=draft, takes_part_in_none=True)

    with pytest.raises(DisclosureRefused, match="Type your full name as the district has it: Ada Lovelace King"):
        sign(ada, draft, name=typed)

    stored = reload(draft)
    assert stored.is_draft and stored.signed_name == "" and stored.submitted_at is None


def test_it_refuses_any_signature_from_someone_without_a_name_on_file(world, cycle):
    nameless = staff_at(world.school, first_name="", last_name="", email="nameless@north.example.org")
    draft = services.disclosure_start(acting_user=nameless, cycle=cycle)
    services.disclosure_set_none(acting_user=nameless, disclosure=draft, takes_part_in_none=True)

    with pytest.raises(DisclosureRefused, match=re.escape("nameless@north.example.org")):
        sign(nameless, draft, name="")
    assert reload(draft).is_draft


def test_it_refuses_a_signature_on_a_different_attestation(world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    services.disclosure_set_none(acting_user=ada, disclosure=draft, takes_part_in_none=True)

    with pytest.raises(DisclosureRefused, match=CHANGED_WHILE_SIGNING):
        sign(ada, draft, signed_hash=attestation_digest("Some other text"))
    assert reload(draft).is_draft


@pytest.mark.parametrize(
    ("filed_on", "late"),
    [
        (datetime.date(2026, 9, 1), False),
        (datetime.date(2026, 12, 1), False),  # on the due date is on time
        (datetime.date(2026, 12, 2), True),
        (datetime.date(2027, 3, 1), True),
    ],
)
def test_it_marks_a_filing_after_the_due_date_late(world, cycle, filed_on, late):
    with at(filed_on):
        file_none(world.staff, cycle)

    assert selectors.standing_filings(cycle).get(employee=world.staff).filed_late is late


def test_it_reads_the_due_date_in_the_districts_time_zone(world, cycle):
    # 03:00 UTC on December 2 is still December 1 in Chicago: on time.
    with at(datetime.date(2026, 12, 2), hour=3):
        filed = file_none(world.staff, cycle)

    assert not filed.filed_late


@pytest.mark.parametrize(
    ("started_on", "due_on"),
    [
        (None, datetime.date(2026, 12, 1)),
        (datetime.date(2019, 8, 1), datetime.date(2026, 12, 1)),
        (datetime.date(2026, 9, 1), datetime.date(2026, 12, 1)),  # started the day the cycle opened
        (datetime.date(2026, 10, 15), datetime.date(2026, 12, 1)),  # the grace ends before the cycle's due date
        (datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)),  # the grace ends on it
        (datetime.date(2026, 11, 2), datetime.date(2026, 12, 2)),
        (datetime.date(2026, 11, 15), datetime.date(2026, 12, 15)),
    ],
)
def test_it_gives_new_hires_a_grace_period_from_their_start(world, cycle, started_on, due_on):
    person = staff_at(world.school, started_on=started_on)

    assert cycle.due_on_for(started_on) == due_on
    assert Disclosure(cycle=cycle, employee=person).due_on() == due_on


def test_it_marks_a_new_hire_late_only_after_their_own_due_date(world, cycle):
    on_time = staff_at(world.school, started_on=datetime.date(2026, 11, 15))  # due December 15
    late = staff_at(world.school, started_on=datetime.date(2026, 11, 15))

    with at(datetime.date(2026, 12, 15)):
        file_none(on_time, cycle)
    with at(datetime.date(2026, 12, 16)):
        file_none(late, cycle)

    assert not selectors.standing_filings(cycle).get(employee=on_time).filed_late
    assert selectors.standing_filings(cycle).get(employee=late).filed_late


def test_it_holds_a_new_hire_whose_grace_ends_early_to_the_cycles_due_date(world, cycle):
    person = staff_at(world.school, started_on=datetime.date(2026, 10, 1))  # grace ends October 31

    with at(datetime.date(2026, 12, 2)):
        filed = file_none(person, cycle)

    assert filed.filed_late


# --- Amendments ---------------------------------------------------------------------------------


@pytest.fixture
def filed(world, cycle):
    """The teacher's first filing: two networks, submitted."""
    return file_networks(world.staff, cycle, "Band parents", "Robotics team chat")


def test_it_amends_a_filing_as_a_new_version(world, cycle, filed):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)

    assert amendment.is_draft
    assert (amendment.version, amendment.amends_id) == (2, filed.pk)
    copies = list(amendment.networks.order_by("position"))
    originals = list(filed.networks.order_by("position"))
    assert [network.carried_from_id for network in copies] == [network.pk for network in originals]
    assert [network.name for network in copies] == ["Band parents", "Robotics team chat"]
    assert all(network.confirmed for network in copies)
    assert services.submission_problems(amendment) == []
    # The filed version stands, untouched, until the amendment is submitted.
    stored = reload(filed)
    assert stored.is_standing and stored.state == DisclosureState.SUBMITTED and stored.superseded_at is None
    assert stored.networks.count() == 2


def test_it_copies_a_statement_of_none_into_the_amendment(world, cycle):
    filing = file_none(world.staff, cycle)

    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filing)

    assert amendment.takes_part_in_none
    assert not amendment.networks.exists()


def test_it_supersedes_the_earlier_version_when_the_amendment_is_submitted(world, cycle, filed, today):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    services.network_remove(acting_user=world.staff, network=amendment.networks.get(name="Band parents"))
    add_network(world.staff, amendment, name="Booster club")

    with at(datetime.date(2026, 11, 25)):
        sign(world.staff, amendment)
        superseded_at = timezone.now()

    earlier, later = reload(filed), reload(amendment)
    assert earlier.superseded_at == superseded_at
    assert earlier.state == DisclosureState.SUBMITTED  # kept as it was filed
    assert not earlier.is_standing
    assert sorted(earlier.networks.values_list("name", flat=True)) == ["Band parents", "Robotics team chat"]
    assert later.is_standing and later.state == DisclosureState.SUBMITTED
    assert sorted(later.networks.values_list("name", flat=True)) == ["Booster club", "Robotics team chat"]
    assert list(selectors.standing_filings(cycle).filter(employee=world.staff)) == [later]
    assert list(selectors.versions(filed)) == [later, earlier]
    assert list(selectors.own_disclosures(world.staff)) == [later]


def test_it_keeps_only_one_draft(world, cycle, filed):
    first = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    again = services.disclosure_amend(acting_user=world.staff, disclosure=filed)

    assert again.pk == first.pk
    assert services.disclosure_start(acting_user=world.staff, cycle=cycle).pk == first.pk
    assert Disclosure.objects.filter(employee=world.staff, state=DisclosureState.DRAFT).count() == 1
    assert first.networks.count() == 2  # not copied twice


def test_it_discards_an_amendment_draft_and_keeps_the_filing(world, cycle, filed):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    copied = list(amendment.networks.values_list("pk", flat=True))

    services.disclosure_discard_draft(acting_user=world.staff, disclosure=amendment)

    assert not Disclosure.objects.filter(pk=amendment.pk).exists()
    assert not DisclosedNetwork.objects.filter(pk__in=copied).exists()
    stored = reload(filed)
    assert stored.is_standing and stored.networks.count() == 2
    assert services.disclosure_amend(acting_user=world.staff, disclosure=stored).version == 2


def test_it_keeps_a_first_draft_until_it_is_submitted(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)

    with pytest.raises(DisclosureRefused, match="first draft is kept"):
        services.disclosure_discard_draft(acting_user=world.staff, disclosure=draft)
    assert Disclosure.objects.filter(pk=draft.pk).exists()


def test_it_refuses_to_amend_anything_but_the_version_on_file(world, cycle, filed):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)

    with pytest.raises(DisclosureRefused, match="Only the disclosure on file"):
        services.disclosure_amend(acting_user=world.staff, disclosure=amendment)  # a draft

    sign(world.staff, amendment)
    with pytest.raises(DisclosureRefused, match="Only the disclosure on file"):
        services.disclosure_amend(acting_user=world.staff, disclosure=reload(filed))  # superseded
    assert Disclosure.objects.filter(employee=world.staff).count() == 2


def _changes(user, disclosure, network):
    """Every change to a version's content, made by `user`."""
    return {
        "network_add": lambda: add_network(user, disclosure, name="Sneaked in"),
        "network_update": lambda: services.network_update(acting_user=user, network=network, name="Renamed"),
        "network_confirm": lambda: services.network_confirm(acting_user=user, network=network),
        "network_remove": lambda: services.network_remove(acting_user=user, network=network),
        "set_none": lambda: services.disclosure_set_none(
            acting_user=user, disclosure=disclosure, takes_part_in_none=True
        ),
        "unset_none": lambda: services.disclosure_set_none(
            acting_user=user, disclosure=disclosure, takes_part_in_none=False
        ),
        "submit": lambda: sign(user, disclosure),
        "discard": lambda: services.disclosure_discard_draft(acting_user=user, disclosure=disclosure),
    }


CHANGES = ["network_add", "network_update", "network_confirm", "network_remove", "set_none", "unset_none"]


@pytest.mark.parametrize("change", [*CHANGES, "submit", "discard"])
def test_it_refuses_to_change_a_submitted_version(world, cycle, filed, change):
    network = filed.networks.get(name="Band parents")
    before = (reload(filed).updated_at, sorted(filed.networks.values_list("pk", "name", "confirmed")))

    with pytest.raises(DisclosureRefused, match="change it through an amendment"):
        _changes(world.staff, reload(filed), network)[change]()

    stored = reload(filed)
    assert (stored.updated_at, sorted(stored.networks.values_list("pk", "name", "confirmed"))) == before
    assert stored.state == DisclosureState.SUBMITTED and not stored.takes_part_in_none


@pytest.mark.parametrize("change", CHANGES)
def test_it_refuses_to_change_a_superseded_or_returned_version(world, cycle, filed, change):
    services.disclosure_return(acting_user=world.director, disclosure=filed, comment="Add the addresses.")
    network = filed.networks.get(name="Band parents")

    with pytest.raises(DisclosureRefused):
        _changes(world.staff, reload(filed), network)[change]()

    revision = services.disclosure_amend(acting_user=world.staff, disclosure=reload(filed))
    sign(world.staff, revision)
    with pytest.raises(DisclosureRefused):
        _changes(world.staff, reload(filed), network)[change]()
    assert reload(filed).networks.count() == 2


@pytest.mark.parametrize("change", [*CHANGES, "submit"])
def test_it_refuses_changes_to_someone_elses_draft(world, cycle, change):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    network = add_network(world.staff, draft)

    for intruder in (world.director, world.principal, world.foreign_director):
        with pytest.raises(PermissionDenied):
            _changes(intruder, draft, network)[change]()

    stored = reload(draft)
    assert stored.is_draft and not stored.takes_part_in_none
    assert list(stored.networks.values_list("name", "confirmed")) == [("Band parents", True)]


def test_it_refuses_amendments_and_discards_by_someone_else(world, cycle, filed):
    with pytest.raises(PermissionDenied):
        services.disclosure_amend(acting_user=world.director, disclosure=filed)
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    with pytest.raises(PermissionDenied):
        services.disclosure_discard_draft(acting_user=world.director, disclosure=amendment)
    assert Disclosure.objects.filter(pk=amendment.pk).exists()


# --- Revisions and amendments after review --------------------------------------------------------


def test_it_resubmits_a_returned_filing_as_a_revision(world, cycle, filed):
    services.disclosure_return(acting_user=world.director, disclosure=filed, comment="Add the addresses.")

    revision = services.disclosure_amend(acting_user=world.staff, disclosure=reload(filed))
    sign(world.staff, revision)

    earlier, later = reload(filed), reload(revision)
    assert later.state == DisclosureState.RESUBMITTED and later.awaits_review
    assert earlier.state == DisclosureState.RETURNED and earlier.superseded_at is not None


@pytest.mark.parametrize("decision", ["accept", "none"])
def test_it_files_an_amendment_of_a_reviewed_or_waiting_filing_as_submitted(world, cycle, filed, decision):
    if decision == "accept":
        services.disclosure_accept(acting_user=world.director, disclosure=filed)

    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=reload(filed))
    sign(world.staff, amendment)

    assert reload(amendment).state == DisclosureState.SUBMITTED
    assert reload(filed).state == (DisclosureState.ACCEPTED if decision == "accept" else DisclosureState.SUBMITTED)


def test_it_keeps_a_late_first_filing_late_through_amendments(world, cycle):
    with at(datetime.date(2026, 12, 10)):
        filing = file_none(world.staff, cycle)
    services.disclosure_accept(acting_user=world.director, disclosure=filing)

    with at(datetime.date(2026, 12, 20)):
        amendment = services.disclosure_amend(acting_user=world.staff, disclosure=reload(filing))
        services.disclosure_set_none(acting_user=world.staff, disclosure=amendment, takes_part_in_none=False)
        add_network(world.staff, amendment)
        sign(world.staff, amendment)

    assert reload(filing).filed_late
    assert reload(amendment).filed_late
    assert reload(amendment).state == DisclosureState.SUBMITTED


def test_it_keeps_an_on_time_first_filing_on_time_when_amended_after_the_due_date(world, cycle, filed):
    services.disclosure_accept(acting_user=world.director, disclosure=filed)

    with at(datetime.date(2027, 2, 1)):
        amendment = services.disclosure_amend(acting_user=world.staff, disclosure=reload(filed))
        add_network(world.staff, amendment, name="Booster club")
        sign(world.staff, amendment)

    assert not reload(amendment).filed_late


# --- A changed attestation ------------------------------------------------------------------------


def test_it_counts_who_must_sign_again_when_the_attestation_changes(world, cycle, filed):
    file_none(world.principal, cycle)
    services.disclosure_start(acting_user=world.clerk, cycle=cycle)  # a draft has signed nothing yet
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    sign(world.staff, amendment)  # the superseded version is not counted

    count = services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)

    assert count == 2
    cycle.refresh_from_db()
    assert cycle.attestation_hash == attestation_digest(NEW_TEXT)
    assert set(selectors.must_sign_again(cycle).values_list("employee__email", flat=True)) == {
        world.staff.email,
        world.principal.email,
    }
    assert list(selectors.must_sign_again(cycle).filter(employee=world.staff)) == [reload(amendment)]
    # A later change that leaves the text alone asks nobody new to sign; the two still must.
    assert (
        services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, due_on=datetime.date(2026, 12, 8))
        == 0
    )
    assert selectors.must_sign_again(cycle).count() == 2


def test_it_asks_nobody_to_sign_again_when_the_text_is_unchanged(world, cycle, filed):
    same_text_differently_sent = cycle.attestation_text.replace("\n", "\r\n") + "\r\n"

    assert (
        services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, due_on=datetime.date(2026, 12, 8))
        == 0
    )
    assert (
        services.disclosure_cycle_update(
            acting_user=world.director, cycle=cycle, attestation_text=same_text_differently_sent
        )
        == 0
    )
    assert not selectors.must_sign_again(cycle).exists()


def test_it_signs_the_new_attestation_in_place(world, cycle, filed):
    services.disclosure_accept(acting_user=world.director, disclosure=filed)
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)
    filing = reload(filed)
    assert not filing.signed_current_text()

    with at(datetime.date(2026, 11, 28)):
        services.disclosure_sign_again(
            acting_user=world.staff,
            disclosure=filing,
            signed_name=world.staff.full_name.upper(),
            signed_hash=attestation_digest(NEW_TEXT),
        )
        signed_at = timezone.now()

    stored = reload(filed)
    assert stored.attestation_hash == attestation_digest(NEW_TEXT)
    assert stored.signed_current_text()
    assert stored.signed_at == signed_at
    assert stored.signed_name == world.staff.full_name.upper()
    assert (stored.version, stored.state, stored.submitted_at) == (1, DisclosureState.ACCEPTED, filed.submitted_at)
    assert Disclosure.objects.filter(employee=world.staff).count() == 1
    assert not selectors.must_sign_again(cycle).exists()


def test_it_refuses_to_sign_again_what_is_already_signed(world, cycle, filed):
    with pytest.raises(DisclosureRefused, match="already signed the current attestation"):
        services.disclosure_sign_again(
            acting_user=world.staff,
            disclosure=filed,
            signed_name=world.staff.full_name,
            signed_hash=cycle.attestation_hash,
        )


def test_it_refuses_to_sign_again_with_the_old_text_or_a_wrong_name(world, cycle, filed):
    old_hash = cycle.attestation_hash
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)
    filing = reload(filed)

    with pytest.raises(DisclosureRefused, match=CHANGED_WHILE_SIGNING):
        services.disclosure_sign_again(
            acting_user=world.staff, disclosure=filing, signed_name=world.staff.full_name, signed_hash=old_hash
        )
    with pytest.raises(DisclosureRefused, match="Type your full name"):
        services.disclosure_sign_again(
            acting_user=world.staff, disclosure=filing, signed_name="Someone Else", signed_hash=cycle.attestation_hash
        )
    with pytest.raises(PermissionDenied):
        services.disclosure_sign_again(
            acting_user=world.director,
            disclosure=filing,
            signed_name=world.director.full_name,
            signed_hash=cycle.attestation_hash,
        )
    assert reload(filed).attestation_hash == old_hash


def test_it_refuses_to_sign_again_a_draft_or_a_superseded_version(world, cycle, filed):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)

    def sign_again(disclosure):
        services.disclosure_sign_again(
            acting_user=world.staff,
            disclosure=reload(disclosure),
            signed_name=world.staff.full_name,
            signed_hash=cycle.attestation_hash,
        )

    with pytest.raises(DisclosureRefused, match="Only the disclosure on file"):
        sign_again(amendment)
    sign(world.staff, reload(amendment))  # signs the new text
    with pytest.raises(DisclosureRefused, match="Only the disclosure on file"):
        sign_again(filed)
    assert reload(amendment).signed_current_text()


def test_it_refuses_a_draft_signed_against_the_old_text(world, cycle):
    draft = services.disclosure_start(acting_user=world.staff, cycle=cycle)
    services.disclosure_set_none(acting_user=world.staff, disclosure=draft, takes_part_in_none=True)
    old_hash = cycle.attestation_hash
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)

    with pytest.raises(DisclosureRefused, match=CHANGED_WHILE_SIGNING):
        sign(world.staff, reload(draft), signed_hash=old_hash)
    assert reload(draft).is_draft


# --- What the database itself refuses ------------------------------------------------------------


def test_it_stores_one_draft_per_employee_and_cycle(world, cycle):
    services.disclosure_start(acting_user=world.staff, cycle=cycle)

    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(cycle=cycle, employee=world.staff, version=2, state=DisclosureState.DRAFT)

    # Someone else's draft is fine.
    Disclosure.objects.create(cycle=cycle, employee=world.principal, state=DisclosureState.DRAFT)


def test_it_never_stores_the_not_started_state(world, cycle):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(cycle=cycle, employee=world.staff, state=DisclosureState.NOT_STARTED)

    assert not Disclosure.objects.exists()


def test_it_stores_one_standing_filing_per_employee_and_cycle(world, cycle, filed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(
            cycle=cycle,
            employee=world.staff,
            version=2,
            state=DisclosureState.SUBMITTED,
            signed_name=world.staff.full_name,
            submitted_at=timezone.now(),
        )


def test_it_never_stores_an_unsigned_filing(world, cycle):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(
            cycle=cycle, employee=world.staff, state=DisclosureState.SUBMITTED, submitted_at=timezone.now()
        )


def test_it_stores_version_numbers_once(world, cycle, filed):
    amendment = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    services.disclosure_discard_draft(acting_user=world.staff, disclosure=amendment)
    Disclosure.objects.filter(pk=filed.pk).update(superseded_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Disclosure.objects.create(cycle=cycle, employee=world.staff, version=1, state=DisclosureState.DRAFT)
