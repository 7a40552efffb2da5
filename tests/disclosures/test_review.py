"""Reviewing disclosures: a filing waiting for review is accepted or returned with a reason; a
returned filing comes back as a revision. Only the version on file is reviewed, never one's own."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from disclosures import services
from disclosures.models import Disclosure, DisclosureComment, DisclosureState, ReviewVisibility
from disclosures.services import DisclosureRefused
from tests.disclosures.filing import file_none, reload, revise


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(18), tzinfo=datetime.UTC), tick=False)


def accept(reviewer, disclosure, **kwargs):
    return services.disclosure_accept(acting_user=reviewer, disclosure=disclosure, **kwargs)


def send_back(reviewer, disclosure, comment="Add the address of each network.", **kwargs):
    return services.disclosure_return(acting_user=reviewer, disclosure=disclosure, comment=comment, **kwargs)


@pytest.fixture
def filed(world, cycle):
    return file_none(world.staff, cycle)


# --- Transitions that are allowed ----------------------------------------------------------------


def test_it_accepts_a_submitted_filing(world, cycle, filed, today):
    result = accept(world.director, filed)

    stored = reload(filed)
    assert result.pk == filed.pk
    assert stored.state == DisclosureState.ACCEPTED
    assert (stored.decided_by, stored.decided_at) == (world.director, timezone.now())
    assert stored.is_standing and not stored.awaits_review
    assert not stored.comments.exists()  # a comment is optional when accepting


def test_it_returns_a_submitted_filing_with_the_reason(world, cycle, filed, today):
    send_back(world.superintendent, filed, comment="  Add the address of each network.  ")

    stored = reload(filed)
    assert stored.state == DisclosureState.RETURNED
    assert (stored.decided_by, stored.decided_at) == (world.superintendent, timezone.now())
    comment = stored.comments.get()
    assert (comment.author, comment.text, comment.action) == (
        world.superintendent,
        "Add the address of each network.",
        DisclosureState.RETURNED,
    )
    assert comment.visibility == ReviewVisibility.EMPLOYEE and not comment.is_internal


def test_it_accepts_and_returns_a_resubmitted_revision(world, cycle, filed):
    send_back(world.director, filed)
    revision = revise(world.staff, filed)
    assert revision.state == DisclosureState.RESUBMITTED

    send_back(world.director, revision, comment="Still missing the band page.")
    second = revise(world.staff, revision)
    assert reload(second).state == DisclosureState.RESUBMITTED
    accept(world.director, second)

    assert [(d.version, d.state, d.superseded_at is None) for d in Disclosure.objects.order_by("version")] == [
        (1, DisclosureState.RETURNED, False),
        (2, DisclosureState.RETURNED, False),
        (3, DisclosureState.ACCEPTED, True),
    ]


def test_it_takes_an_amendment_of_an_accepted_filing_back_to_review(world, cycle, filed):
    accept(world.director, filed)

    amendment = revise(world.staff, filed)

    assert reload(amendment).state == DisclosureState.SUBMITTED
    assert reload(amendment).awaits_review
    assert reload(filed).state == DisclosureState.ACCEPTED  # the earlier decision stays on record
    accept(world.superintendent, amendment)
    assert reload(amendment).decided_by == world.superintendent


def test_it_reviews_the_filing_on_file_while_an_amendment_is_being_drafted(world, cycle, filed):
    draft = services.disclosure_amend(acting_user=world.staff, disclosure=filed)

    accept(world.director, filed)

    assert reload(filed).state == DisclosureState.ACCEPTED
    assert reload(draft).is_draft
    with pytest.raises(DisclosureRefused, match="not waiting for review"):
        accept(world.director, draft)


@pytest.mark.parametrize("visibility", [ReviewVisibility.EMPLOYEE, ReviewVisibility.INTERNAL])
@pytest.mark.parametrize("decision", ["accept", "return"])
def test_it_stores_the_decisions_comment_with_its_visibility(world, cycle, filed, decision, visibility):
    if decision == "accept":
        accept(world.director, filed, comment="Thank you.", visibility=visibility)
    else:
        send_back(world.director, filed, comment="Thank you.", visibility=visibility)

    comment = DisclosureComment.objects.get(disclosure=filed)
    assert (comment.text, comment.visibility, comment.author) == ("Thank you.", visibility, world.director)
    assert comment.action == (DisclosureState.ACCEPTED if decision == "accept" else DisclosureState.RETURNED)
    assert comment.is_internal is (visibility == ReviewVisibility.INTERNAL)


def test_it_adds_a_comment_without_a_decision(world, cycle, filed):
    services.disclosure_comment_add(acting_user=world.director, disclosure=filed, text="Checked with HR.")
    services.disclosure_comment_add(
        acting_user=world.superintendent, disclosure=filed, text="Noted.", visibility=ReviewVisibility.EMPLOYEE
    )

    assert list(filed.comments.values_list("author__email", "text", "visibility", "action")) == [
        (world.director.email, "Checked with HR.", ReviewVisibility.INTERNAL, ""),
        (world.superintendent.email, "Noted.", ReviewVisibility.EMPLOYEE, ""),
    ]
    assert reload(filed).state == DisclosureState.SUBMITTED


# --- Transitions that are refused ---------------------------------------------------------------


def _in_state(world, cycle, state):
    """The teacher's standing disclosure (or draft) in `state`."""
    if state == DisclosureState.DRAFT:
        return services.disclosure_start(acting_user=world.staff, cycle=cycle)
    filing = file_none(world.staff, cycle)
    if state == DisclosureState.ACCEPTED:
        accept(world.director, filing)
    elif state in (DisclosureState.RETURNED, DisclosureState.RESUBMITTED):
        send_back(world.director, filing)
        if state == DisclosureState.RESUBMITTED:
            filing = revise(world.staff, filing)
    return reload(filing)


@pytest.mark.parametrize("decision", ["accept", "return"])
@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (DisclosureState.DRAFT, False),
        (DisclosureState.SUBMITTED, True),
        (DisclosureState.RETURNED, False),
        (DisclosureState.RESUBMITTED, True),
        (DisclosureState.ACCEPTED, False),
    ],
)
def test_it_decides_only_filings_waiting_for_review(world, cycle, state, allowed, decision):
    disclosure = _in_state(world, cycle, state)
    assert disclosure.state == state
    comments = DisclosureComment.objects.count()
    act = accept if decision == "accept" else send_back

    if allowed:
        act(world.superintendent, disclosure)
        expected = DisclosureState.ACCEPTED if decision == "accept" else DisclosureState.RETURNED
        assert reload(disclosure).state == expected
    else:
        with pytest.raises(DisclosureRefused, match="not waiting for review"):
            act(world.superintendent, disclosure)
        stored = reload(disclosure)
        assert stored.state == state and stored.decided_by_id in (None, world.director.pk)
        assert DisclosureComment.objects.count() == comments


@pytest.mark.parametrize("state", [DisclosureState.SUBMITTED, DisclosureState.RETURNED, DisclosureState.ACCEPTED])
def test_it_refuses_to_decide_a_superseded_version(world, cycle, filed, state):
    if state == DisclosureState.RETURNED:
        send_back(world.director, filed)
    elif state == DisclosureState.ACCEPTED:
        accept(world.director, filed)
    revise(world.staff, filed)
    superseded = reload(filed)
    assert superseded.superseded_at is not None and superseded.state == state

    with pytest.raises(DisclosureRefused, match="not waiting for review"):
        accept(world.director, superseded)
    with pytest.raises(DisclosureRefused, match="not waiting for review"):
        send_back(world.director, superseded)
    assert reload(filed).state == state


def test_it_refuses_to_accept_twice(world, cycle, filed):
    accept(world.director, filed)

    with pytest.raises(DisclosureRefused, match="not waiting for review"):
        accept(world.superintendent, filed)
    assert reload(filed).decided_by == world.director


def test_it_refuses_a_decision_on_a_stale_copy(world, cycle, filed):
    stale = reload(filed)  # read before the director's decision
    accept(world.director, filed)

    with pytest.raises(DisclosureRefused, match="not waiting for review"):
        send_back(world.superintendent, stale)
    assert reload(filed).state == DisclosureState.ACCEPTED


@pytest.mark.parametrize("comment", ["", "   \n\t"])
def test_it_refuses_to_return_without_a_reason(world, cycle, filed, comment):
    with pytest.raises(DisclosureRefused, match="Say what the employee should change"):
        send_back(world.director, filed, comment=comment)

    assert reload(filed).state == DisclosureState.SUBMITTED
    assert not DisclosureComment.objects.exists()


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_it_refuses_a_comment_visibility_it_does_not_know_and_changes_nothing(world, cycle, filed, decision):
    act = accept if decision == "accept" else send_back

    with pytest.raises(DisclosureRefused, match="Choose who may read the comment"):
        act(world.director, filed, comment="Fine.", visibility="everyone")

    stored = reload(filed)
    assert stored.state == DisclosureState.SUBMITTED and stored.decided_by is None
    assert not DisclosureComment.objects.exists()


def test_it_refuses_an_empty_comment_without_a_decision(world, cycle, filed):
    with pytest.raises(DisclosureRefused, match="Write the comment"):
        services.disclosure_comment_add(acting_user=world.director, disclosure=filed, text="  ")
    assert not DisclosureComment.objects.exists()


def test_it_refuses_a_reviewer_their_own_disclosure(world, cycle):
    own = file_none(world.director, cycle)

    for action in (
        lambda: accept(world.director, own),
        lambda: send_back(world.director, own),
        lambda: services.disclosure_comment_add(acting_user=world.director, disclosure=own, text="Looks fine."),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert reload(own).state == DisclosureState.SUBMITTED
    assert not DisclosureComment.objects.exists()

    accept(world.superintendent, own)  # a colleague reviews it
    assert reload(own).state == DisclosureState.ACCEPTED


@pytest.mark.parametrize("persona", ["principal", "communications", "clerk", "staff", "foreign_director"])
def test_it_refuses_reviewers_outside_the_recipient_policy(world, cycle, persona):
    filing = file_none(world.other_principal, cycle)
    outsider = world.persona(persona)

    with pytest.raises(PermissionDenied):
        accept(outsider, filing)
    with pytest.raises(PermissionDenied):
        send_back(outsider, filing)
    with pytest.raises(PermissionDenied):
        services.disclosure_comment_add(acting_user=outsider, disclosure=filing, text="Seen.")
    assert reload(filing).state == DisclosureState.SUBMITTED
    assert not DisclosureComment.objects.exists()


def test_it_lets_the_principal_review_when_disclosures_go_to_the_school(world, cycle, filed):
    world.district.disclosure_recipient = "school"
    world.district.save()

    send_back(world.principal, reload(filed))
    with pytest.raises(PermissionDenied):
        accept(world.other_principal, reload(filed))

    assert reload(filed).decided_by == world.principal


def test_it_refuses_every_review_once_the_district_stops_requiring_disclosures(world, cycle, filed):
    world.district.disclosure_required = False
    world.district.save()

    with pytest.raises(PermissionDenied):
        accept(world.director, reload(filed))
    assert reload(filed).state == DisclosureState.SUBMITTED


def test_it_records_the_decision_time(world, cycle, filed):
    with at(datetime.date(2026, 12, 3)):
        accept(world.director, filed)
        decided = timezone.now()

    assert reload(filed).decided_at == decided


# --- What a reviewer reads ------------------------------------------------------------------------


@pytest.mark.parametrize("then", ["kept", "discarded"])
def test_a_reviewer_never_reads_an_unsigned_draft_through_the_filed_versions_history(client, world, cycle, then):
    from django.urls import reverse

    from tests.disclosures.filing import add_network

    filed = file_none(world.staff, cycle)
    draft = services.disclosure_amend(acting_user=world.staff, disclosure=filed)
    add_network(world.staff, draft, name="Secret unsigned group")
    if then == "discarded":
        services.disclosure_discard_draft(acting_user=world.staff, disclosure=draft)
    client.force_login(world.director)

    response = client.get(reverse("disclosures:detail", args=[filed.pk]))

    assert response.status_code == 200
    assert "Secret unsigned group" not in response.content.decode()
    client.force_login(world.staff)
    assert "Secret unsigned group" in client.get(reverse("disclosures:detail", args=[filed.pk])).content.decode()
