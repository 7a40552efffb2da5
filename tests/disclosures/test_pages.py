"""Disclosure pages for employees and reviewers, through HTTP: filing, amending, signing a
changed attestation again, reviewing; who may open which page; odd input; constant queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse

from accounts.models import DisclosureRecipient
from disclosures import services, urls
from disclosures.models import (
    DEFAULT_ATTESTATION,
    DisclosedNetwork,
    Disclosure,
    DisclosureComment,
    DisclosureCycle,
    DisclosureState,
    ReviewVisibility,
)
from tests.disclosures.filing import add_network, file_networks, file_none, reload, sign
from tests.factories import ProgramFactory, staff_at
from tests.pages import fetch, queries_for

NETWORK = {
    "platform": "facebook",
    "name": "Band parents",
    "url": "https://facebook.example.org/band",
    "run_by": "parents",
    "part": "member",
    "students_are_members": "no",
}
NEW_TEXT = "I have listed every network created by a student group or the public that I take part in."
NOT_REQUIRED = "does not ask staff for an annual disclosure"
LOGIN = "/account/login/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state_of(disclosure) -> tuple:
    """What a refused action must leave as it was."""
    current = reload(disclosure)
    networks = tuple(current.networks.order_by("pk").values_list("pk", "name", "confirmed"))
    return (
        current.state,
        current.signed_name,
        current.attestation_hash,
        current.submitted_at,
        current.superseded_at,
        current.takes_part_in_none,
        networks,
    )


def cycle_form_data(cycle, **changes):
    return {
        "opens_on": cycle.opens_on.isoformat(),
        "due_on": cycle.due_on.isoformat(),
        "new_hire_grace_days": cycle.new_hire_grace_days,
        "attestation_text": cycle.attestation_text,
        **changes,
    }


@pytest.fixture
def ada(world):
    """A teacher at North High with a name to sign."""
    return staff_at(world.school, first_name="Ada", last_name="Lovelace", email="ada@north.example.org")


# --- The employee's flow -----------------------------------------------------------------------


def test_it_offers_to_start_the_disclosure_with_its_due_date(client, world, cycle, ada):
    client.force_login(ada)

    page = client.get(reverse("disclosures:home")).content.decode()

    assert "Start my disclosure" in page
    assert "Dec. 1, 2026" in page
    assert reverse("disclosures:start", args=[cycle.pk]) in page


def test_it_opens_the_edit_page_when_the_employee_starts(client, world, cycle, ada):
    client.force_login(ada)

    response = client.post(reverse("disclosures:start", args=[cycle.pk]))

    draft = Disclosure.objects.get(employee=ada, cycle=cycle)
    assert draft.state == DisclosureState.DRAFT
    assert response.status_code == 302 and response["Location"] == reverse("disclosures:edit", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    assert "2026–27 disclosure" in page and "Sign and submit" in page
    assert "Add this network" in page


def test_it_adds_a_network_to_the_draft(client, world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    client.force_login(ada)

    response = client.post(reverse("disclosures:network_add", args=[draft.pk]), NETWORK)

    assert response["Location"] == reverse("disclosures:edit", args=[draft.pk])
    network = draft.networks.get()
    assert (network.name, network.url, network.confirmed) == ("Band parents", NETWORK["url"], True)
    assert "Band parents" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"url": "not a web address"}, "url", "Enter a valid URL."),
        ({"url": "javascript:alert(1)"}, "url", "Enter a valid URL."),
        ({"run_by": "the moon"}, "run_by", "Select a valid choice."),
        ({"platform": ""}, "platform", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters"),
    ],
)
def test_it_refuses_an_invalid_network_with_the_field_error_and_saves_nothing(
    client, world, cycle, ada, change, field, error
):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    client.force_login(ada)

    response = client.post(reverse("disclosures:network_add", args=[draft.pk]), {**NETWORK, **change})

    assert response.status_code == 400
    assert response.context["network_form"].errors[field][0].startswith(error.rstrip("."))
    assert error.split(".")[0] in response.content.decode()
    assert not DisclosedNetwork.objects.exists()


def test_it_escapes_what_the_employee_typed(client, world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    client.force_login(ada)

    client.post(reverse("disclosures:network_add", args=[draft.pk]), {**NETWORK, "name": "<script>alert(1)</script>"})

    page = client.get(reverse("disclosures:edit", args=[draft.pk])).content.decode()
    assert draft.networks.get().name == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_tells_the_employee_when_the_cycle_opens_and_refuses_to_start_before(client, world, cycle, ada):
    cycle.opens_on = datetime.date(2026, 11, 25)
    cycle.save()
    client.force_login(ada)

    page = client.get(reverse("disclosures:home")).content.decode()
    response = client.post(reverse("disclosures:start", args=[cycle.pk]))

    assert "It opens on Nov. 25, 2026 and is due Dec. 1, 2026." in page and "Start my disclosure" not in page
    assert response["Location"] == reverse("disclosures:home")
    assert messages_of(response) == ["This cycle opens on November 25, 2026."]
    assert not Disclosure.objects.exists()


def test_it_tells_the_employee_a_filing_after_the_due_date_is_late(client, world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    add_network(ada, draft)

    with time_machine.travel(datetime.datetime(2026, 12, 5, 18, tzinfo=datetime.UTC), tick=False):
        client.force_login(ada)  # sessions last a working day
        home = client.get(reverse("disclosures:home")).content.decode()
        response = client.post(
            reverse("disclosures:submit", args=[draft.pk]),
            {"signed_name": "Ada Lovelace", "signed_hash": cycle.attestation_hash},
        )

    assert "it is late" in home
    assert messages_of(response) == [
        "Your disclosure is signed and filed. It was filed after your due date and is marked late."
    ]
    assert reload(draft).filed_late is True


@pytest.fixture
def last_year(world, cycle, ada):
    """North's 2025–26 cycle, in which Ada's filing of two networks was accepted."""
    previous = services.disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=2025,
        opens_on=datetime.date(2025, 8, 25),
        due_on=datetime.date(2025, 10, 1),
    )
    filing = file_networks(ada, previous, "Band parents", "Robotics team chat")
    services.disclosure_accept(acting_user=world.director, disclosure=filing)
    return previous


def test_it_shows_last_years_networks_to_confirm_or_remove(client, world, cycle, ada, last_year):
    client.force_login(ada)

    response = client.post(reverse("disclosures:start", args=[cycle.pk]), follow=True)

    page = response.content.decode()
    carried = list(Disclosure.objects.get(cycle=cycle, employee=ada).networks.order_by("position"))
    assert [network.name for network in carried] == ["Band parents", "Robotics team chat"]
    assert "From last year: still true?" in page
    for network in carried:
        assert reverse("disclosures:network_action", args=[network.pk, "confirm"]) in page
        assert reverse("disclosures:network_action", args=[network.pk, "remove"]) in page
    assert "Confirm or remove each network carried from last year" in page


def test_it_confirms_one_carried_network_and_removes_another(client, world, cycle, ada, last_year):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    band, robotics = draft.networks.order_by("position")
    client.force_login(ada)

    client.post(reverse("disclosures:network_action", args=[band.pk, "confirm"]))
    client.post(reverse("disclosures:network_action", args=[robotics.pk, "remove"]))

    assert list(draft.networks.values_list("name", "confirmed")) == [("Band parents", True)]
    page = client.get(reverse("disclosures:edit", args=[draft.pk])).content.decode()
    assert "From last year: still true?" not in page
    assert "Before you can submit" not in page


def test_it_lists_last_years_accepted_filing_among_earlier_years(client, world, cycle, ada, last_year):
    client.force_login(ada)

    response = client.get(reverse("disclosures:home"))

    assert [d.cycle for d in response.context["earlier"]] == [last_year]
    assert "Accepted" in response.content.decode()


def test_it_disables_and_refuses_submission_while_problems_remain(client, world, cycle, ada):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    client.force_login(ada)

    page = client.get(reverse("disclosures:edit", args=[draft.pk])).content.decode()
    response = client.post(
        reverse("disclosures:submit", args=[draft.pk]),
        {"signed_name": "Ada Lovelace", "signed_hash": cycle.attestation_hash},
    )

    assert "Before you can submit" in page
    assert 'type="submit" disabled>Sign and submit' in page
    assert response["Location"] == reverse("disclosures:edit", args=[draft.pk])
    assert messages_of(response) == ["List the networks you take part in, or state that you take part in none."]
    assert reload(draft).state == DisclosureState.DRAFT


@pytest.fixture
def ready(ada, cycle):
    """Ada's draft with one network, ready to sign."""
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    add_network(ada, draft)
    return draft


def test_it_names_the_signature_problem_when_the_name_is_wrong(client, world, cycle, ada, ready):
    before = state_of(ready)
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:submit", args=[ready.pk]), {"signed_name": "Ada L.", "signed_hash": cycle.attestation_hash}
    )

    assert response["Location"] == reverse("disclosures:edit", args=[ready.pk])
    assert messages_of(response) == ["Type your full name as the district has it: Ada Lovelace."]
    assert state_of(ready) == before


def test_it_refuses_a_signature_on_an_attestation_that_changed_while_signing(client, world, cycle, ada, ready):
    before = state_of(ready)
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:submit", args=[ready.pk]), {"signed_name": "Ada Lovelace", "signed_hash": "0" * 64}
    )

    assert response["Location"] == reverse("disclosures:edit", args=[ready.pk])
    assert messages_of(response) == [
        "The district changed the attestation while you were signing. Read it again and sign."
    ]
    assert state_of(ready) == before


def test_it_answers_a_signature_without_a_name_with_the_form_error(client, world, cycle, ada, ready):
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:submit", args=[ready.pk]), {"signed_name": "", "signed_hash": cycle.attestation_hash}
    )

    assert response.status_code == 400
    assert response.context["signature_form"].errors["signed_name"] == ["This field is required."]
    assert reload(ready).state == DisclosureState.DRAFT


def test_it_files_a_signed_draft_and_shows_it(client, world, cycle, ada, ready, today):
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:submit", args=[ready.pk]),
        {"signed_name": " ada  LOVELACE ", "signed_hash": cycle.attestation_hash},
    )

    assert response["Location"] == reverse("disclosures:detail", args=[ready.pk])
    assert messages_of(response) == ["Your disclosure is signed and filed."]
    filed = reload(ready)
    assert (filed.state, filed.signed_name, filed.filed_late) == (DisclosureState.SUBMITTED, "ada LOVELACE", False)
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for review" in page and "Band parents" in page and "Amend my disclosure" in page


def test_it_opens_an_amendment_as_a_new_draft_and_discards_it(client, world, cycle, ada, ready):
    filing = sign(ada, ready)
    client.force_login(ada)

    response = client.post(reverse("disclosures:amend", args=[filing.pk]))

    amendment = Disclosure.objects.get(employee=ada, state=DisclosureState.DRAFT)
    assert (amendment.version, amendment.amends) == (2, filing)
    assert response["Location"] == reverse("disclosures:edit", args=[amendment.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Discard these changes" in page and "Band parents" in page

    response = client.post(reverse("disclosures:discard", args=[amendment.pk]))

    assert response["Location"] == reverse("disclosures:detail", args=[filing.pk])
    assert messages_of(response) == ["The unsent changes were discarded; your filed disclosure is unchanged."]
    assert not Disclosure.objects.filter(pk=amendment.pk).exists()
    assert reload(filing).is_standing


def test_it_files_an_amendment_in_place_of_the_filing(client, world, cycle, ada, ready):
    filing = sign(ada, ready)
    amendment = services.disclosure_amend(acting_user=ada, disclosure=filing)
    client.force_login(ada)

    client.post(reverse("disclosures:network_add", args=[amendment.pk]), {**NETWORK, "name": "Chess club chat"})
    response = client.post(
        reverse("disclosures:submit", args=[amendment.pk]),
        {"signed_name": "Ada Lovelace", "signed_hash": cycle.attestation_hash},
    )

    assert response["Location"] == reverse("disclosures:detail", args=[amendment.pk])
    assert reload(filing).superseded_at is not None
    assert reload(amendment).state == DisclosureState.SUBMITTED
    page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    assert "This version was replaced" in page


def test_it_asks_signers_to_sign_again_after_the_director_changes_the_text(client, world, cycle, ada, ready):
    filing = sign(ada, ready)
    file_none(world.clerk, cycle)
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:cycle_edit", args=[cycle.pk]), cycle_form_data(cycle, attestation_text=NEW_TEXT)
    )

    assert response["Location"] == reverse("disclosures:cycle_detail", args=[cycle.pk])
    assert messages_of(response) == [
        "The cycle is saved. 2 people who signed the earlier text are asked to sign again."
    ]
    cycle.refresh_from_db()
    assert cycle.attestation_text == NEW_TEXT

    client.force_login(ada)
    page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    assert "The district changed the attestation after this was signed" in page
    assert NEW_TEXT in page
    assert "Sign the new text" in page

    response = client.post(
        reverse("disclosures:sign_again", args=[filing.pk]),
        {"signed_name": "Ada Lovelace", "signed_hash": cycle.attestation_hash},
    )

    assert messages_of(response) == ["Thank you: you have signed the current attestation."]
    assert reload(filing).attestation_hash == cycle.attestation_hash
    assert "Sign the new text" not in client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()


def test_it_refuses_to_sign_again_with_the_old_text(client, world, cycle, ada, ready):
    filing = sign(ada, ready)
    old_hash = cycle.attestation_hash
    services.disclosure_cycle_update(acting_user=world.director, cycle=cycle, attestation_text=NEW_TEXT)
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:sign_again", args=[filing.pk]), {"signed_name": "Ada Lovelace", "signed_hash": old_hash}
    )

    assert "changed the attestation while you were signing" in messages_of(response)[0]
    assert reload(filing).attestation_hash == old_hash


def test_it_asks_nobody_to_sign_again_when_the_text_is_unchanged(client, world, cycle, ada, ready):
    sign(ada, ready)
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:cycle_edit", args=[cycle.pk]), cycle_form_data(cycle, due_on="2026-12-15")
    )

    assert messages_of(response) == ["The cycle is saved."]
    cycle.refresh_from_db()
    assert cycle.due_on == datetime.date(2026, 12, 15)


# --- Reviewers ---------------------------------------------------------------------------------


@pytest.fixture
def filing(ada, ready):
    return sign(ada, ready)


def test_it_lets_the_director_accept_a_disclosure(client, world, cycle, ada, filing):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:review", args=[filing.pk]), {"decision": "accept", "comment": "", "visibility": "employee"}
    )

    assert response["Location"] == reverse("disclosures:review_queue")
    assert messages_of(response) == ["Ada Lovelace's disclosure is accepted."]
    accepted = reload(filing)
    assert (accepted.state, accepted.decided_by) == (DisclosureState.ACCEPTED, world.director)
    assert not DisclosureComment.objects.exists()


def test_it_lets_the_director_return_a_disclosure_with_a_comment(client, world, cycle, ada, filing):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:review", args=[filing.pk]),
        {"decision": "return", "comment": "Add the band page's address.", "visibility": "employee"},
    )

    assert messages_of(response) == ["Ada Lovelace's disclosure is returned for revision."]
    assert reload(filing).state == DisclosureState.RETURNED
    client.force_login(ada)
    page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    assert "Returned for revision." in page and "Add the band page&#x27;s address." in page
    assert "Revise and resubmit" in page


def test_it_refuses_to_return_a_disclosure_without_a_comment(client, world, cycle, ada, filing):
    before = state_of(filing)
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:review", args=[filing.pk]),
        {"decision": "return", "comment": "  ", "visibility": "employee"},
    )

    assert response["Location"] == reverse("disclosures:detail", args=[filing.pk])
    assert messages_of(response) == ["Say what the employee should change."]
    assert state_of(filing) == before
    assert not DisclosureComment.objects.exists()


def test_it_refuses_a_review_without_a_decision(client, world, cycle, ada, filing):
    before = state_of(filing)
    client.force_login(world.director)

    response = client.post(reverse("disclosures:review", args=[filing.pk]), {"decision": "maybe"})

    assert messages_of(response) == ["Choose to accept or return the disclosure."]
    assert state_of(filing) == before


def test_it_shows_internal_comments_to_reviewers_only(client, world, cycle, ada, filing):
    services.disclosure_comment_add(
        acting_user=world.director, disclosure=filing, text="Checked against the club roster.", visibility="internal"
    )
    client.force_login(world.director)
    client.post(
        reverse("disclosures:review", args=[filing.pk]),
        {"decision": "accept", "comment": "Thank you, all in order.", "visibility": ReviewVisibility.EMPLOYEE},
    )

    reviewer_page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    client.force_login(ada)
    employee_page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()

    assert "Checked against the club roster." in reviewer_page and "Reviewers only" in reviewer_page
    assert "Thank you, all in order." in reviewer_page
    assert "Checked against the club roster." not in employee_page and "Reviewers only" not in employee_page
    assert "Thank you, all in order." in employee_page


def test_it_keeps_an_internal_return_reason_from_the_employee(client, world, cycle, ada, filing):
    client.force_login(world.director)
    client.post(
        reverse("disclosures:review", args=[filing.pk]),
        {"decision": "return", "comment": "Ask HR about the booster club.", "visibility": "internal"},
    )

    client.force_login(ada)
    page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()

    assert reload(filing).state == DisclosureState.RETURNED
    assert "Ask HR about the booster club." not in page


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_it_refuses_a_review_of_ones_own_disclosure(client, world, cycle, ada, filing, decision):
    own = file_none(world.director, cycle)
    for employee, disclosure in ((ada, filing), (world.director, own)):
        before = state_of(disclosure)
        client.force_login(employee)

        response = client.post(
            reverse("disclosures:review", args=[disclosure.pk]),
            {"decision": decision, "comment": "Looks fine to me.", "visibility": "employee"},
        )

        assert response.status_code in (403, 404)
        assert state_of(disclosure) == before
        assert not DisclosureComment.objects.exists()


def test_it_offers_no_review_form_on_ones_own_disclosure(client, world, cycle):
    own = file_none(world.director, cycle)
    client.force_login(world.director)

    response = client.get(reverse("disclosures:detail", args=[own.pk]))

    assert response.context["can_review"] is False
    assert "Return for revision" not in response.content.decode()


def test_it_offers_the_review_form_to_the_director(client, world, cycle, filing):
    client.force_login(world.director)

    page = client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()

    assert reverse("disclosures:review", args=[filing.pk]) in page and "Return for revision" in page


@pytest.mark.parametrize("persona", ["director", "superintendent", "principal"])
def test_it_hides_other_staffs_drafts_from_reviewers(client, world, cycle, ada, ready, persona):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    client.force_login(world.persona(persona))

    assert client.get(reverse("disclosures:detail", args=[ready.pk])).status_code == 404
    assert client.get(reverse("disclosures:edit", args=[ready.pk])).status_code == 404


def test_it_hides_an_unsent_amendment_but_shows_the_filing_to_reviewers(client, world, cycle, ada, filing):
    amendment = services.disclosure_amend(acting_user=ada, disclosure=filing)
    client.force_login(world.director)

    response = client.get(reverse("disclosures:detail", args=[filing.pk]))

    assert response.status_code == 200
    assert list(response.context["versions"]) == [filing]
    assert client.get(reverse("disclosures:detail", args=[amendment.pk])).status_code == 404


# --- Who may open which page -------------------------------------------------------------------

PERSONAS = (
    "director",
    "superintendent",
    "communications",
    "principal",
    "clerk",
    "staff",
    "other_principal",
    "foreign_director",
    "anonymous",
)


@dataclass
class Subjects:
    """Ada's filing awaiting review, her unsent amendment of it and a network on the amendment."""

    cycle: DisclosureCycle
    filing: Disclosure
    draft: Disclosure
    network: DisclosedNetwork


@pytest.fixture
def subjects(world, cycle, ada):
    filing = file_networks(ada, cycle, "Band parents")
    draft = services.disclosure_amend(acting_user=ada, disclosure=filing)
    return Subjects(cycle=cycle, filing=filing, draft=draft, network=draft.networks.get())


def url_for(name: str, s: Subjects, world) -> str:
    args = {
        "home": [],
        "review_queue": [],
        "cycle_list": [],
        "cycle_new": [world.district.slug],
        "cycle_detail": [s.cycle.pk],
        "cycle_edit": [s.cycle.pk],
        "start": [s.cycle.pk],
        "detail": [s.filing.pk],
        "amend": [s.filing.pk],
        "sign_again": [s.filing.pk],
        "review": [s.filing.pk],
        "comment": [s.filing.pk],
        "edit": [s.draft.pk],
        "network_add": [s.draft.pk],
        "set_none": [s.draft.pk],
        "submit": [s.draft.pk],
        "discard": [s.draft.pk],
        "network_edit": [s.network.pk],
        "network_action": [s.network.pk, "remove"],
    }[name]
    return reverse(f"disclosures:{name}", args=args)


def post_data(name: str, s: Subjects) -> dict:
    signature = {"signed_name": "Ada Lovelace", "signed_hash": s.cycle.attestation_hash}
    return {
        "network_add": NETWORK,
        "network_edit": {**NETWORK, "name": "Renamed"},
        "set_none": {"takes_part_in_none": "on"},
        "submit": signature,
        "sign_again": signature,
        "review": {"decision": "accept", "comment": "", "visibility": "employee"},
        "comment": {"text": "Checked with HR.", "visibility": "internal"},
        "cycle_new": {
            "school_year_start": "2027",
            "opens_on": "2027-09-01",
            "due_on": "2027-12-01",
            "new_hire_grace_days": "30",
            "attestation_text": DEFAULT_ATTESTATION,
        },
        "cycle_edit": cycle_form_data(s.cycle),
    }.get(name, {})


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


OWNER_ONLY = row(404, 404, 404, 404, 404, 404, 404, 404, 302)
LEADERSHIP = row(200, 200, 403, 403, 403, 403, 403, 404, 302)

# Which role may open which page (GET) is the permission matrix's (tests/security/test_permission_matrix.py),
# and who reads a filing under each recipient policy is tested below. Here each action is posted with
# valid input under the default policy (disclosures go to the district office): those allowed change
# what they asked, the others nothing.
POST_STATUS = {
    "network_add": OWNER_ONLY,
    "network_edit": OWNER_ONLY,
    "set_none": OWNER_ONLY,
    "submit": OWNER_ONLY,
    "amend": OWNER_ONLY,
    "discard": OWNER_ONLY,
    "sign_again": OWNER_ONLY,
    "network_action": OWNER_ONLY,
    "review": row(302, 302, 404, 404, 404, 404, 404, 404, 302),
    "comment": row(302, 302, 404, 404, 404, 404, 404, 404, 302),
    "start": row(302, 302, 302, 302, 302, 302, 302, 404, 302),
    "cycle_new": row(302, 302, 403, 403, 403, 403, 403, 404, 302),
    "cycle_edit": row(302, 302, 403, 403, 403, 403, 403, 404, 302),
}


def url_names() -> set[str]:
    return {pattern.name for pattern in urls.urlpatterns if isinstance(pattern, URLPattern)}


def test_it_posts_to_every_disclosure_action():
    assert set(POST_STATUS) == url_names() - {"home", "review_queue", "detail", "edit", "cycle_list", "cycle_detail"}


def snapshot(s: Subjects) -> tuple:
    cycles = tuple(DisclosureCycle.objects.order_by("pk").values_list("pk", "due_on", "attestation_hash"))
    drafts = Disclosure.objects.filter(employee=s.filing.employee, state=DisclosureState.DRAFT).values_list("pk")
    return state_of(s.filing), tuple(drafts), state_of(s.draft) if reload_exists(s.draft) else None, cycles


def reload_exists(disclosure) -> bool:
    return Disclosure.objects.filter(pk=disclosure.pk).exists()


def login_as(client, world, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.persona(persona))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POST_STATUS))
def test_it_answers_each_persona_with_the_expected_status_on_post(client, world, subjects, name, persona):
    login_as(client, world, persona)
    before = snapshot(subjects)

    response = client.post(url_for(name, subjects, world), post_data(name, subjects))

    expected = POST_STATUS[name][persona]
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(LOGIN)
    if persona != "anonymous" and expected == 302 and name == "review":
        assert reload(subjects.filing).state == DisclosureState.ACCEPTED
    elif persona != "anonymous" and expected == 302 and name == "cycle_new":
        assert DisclosureCycle.objects.filter(district=world.district, school_year_start=2027).exists()
    else:
        assert snapshot(subjects) == before
    noted = DisclosureComment.objects.filter(disclosure=subjects.filing, text="Checked with HR.").exists()
    assert noted == (persona != "anonymous" and expected == 302 and name == "comment")
    if persona != "anonymous" and expected == 302 and name == "start":
        draft = Disclosure.objects.get(employee=world.persona(persona), cycle=subjects.cycle)
        assert response["Location"] == reverse("disclosures:edit", args=[draft.pk])


@pytest.mark.parametrize(
    ("recipient", "principal", "other_principal"),
    [
        (DisclosureRecipient.DISTRICT, 404, 404),
        (DisclosureRecipient.SCHOOL, 200, 404),
        (DisclosureRecipient.SUPERVISOR, 200, 404),
    ],
)
def test_it_shows_a_schools_staff_disclosures_to_its_principal_only_if_the_policy_says_so(
    client, world, subjects, recipient, principal, other_principal
):
    world.district.disclosure_recipient = recipient
    world.district.save()
    url = reverse("disclosures:detail", args=[subjects.filing.pk])

    client.force_login(world.principal)
    assert client.get(url).status_code == principal
    client.force_login(world.other_principal)
    assert client.get(url).status_code == other_principal


@pytest.mark.parametrize(
    ("recipient", "principal"),
    [(DisclosureRecipient.DISTRICT, 404), (DisclosureRecipient.SCHOOL, 302), (DisclosureRecipient.SUPERVISOR, 302)],
)
def test_it_lets_a_principal_review_their_schools_staff_only_if_the_policy_says_so(
    client, world, subjects, recipient, principal
):
    world.district.disclosure_recipient = recipient
    world.district.save()
    review = {"decision": "accept", "comment": "", "visibility": "employee"}

    client.force_login(world.other_principal)
    assert client.post(reverse("disclosures:review", args=[subjects.filing.pk]), review).status_code == 404
    assert reload(subjects.filing).state == DisclosureState.SUBMITTED
    client.force_login(world.principal)
    assert client.post(reverse("disclosures:review", args=[subjects.filing.pk]), review).status_code == principal
    expected = DisclosureState.ACCEPTED if principal == 302 else DisclosureState.SUBMITTED
    assert reload(subjects.filing).state == expected


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [(DisclosureRecipient.DISTRICT, 404), (DisclosureRecipient.SCHOOL, 404), (DisclosureRecipient.SUPERVISOR, 200)],
)
def test_it_shows_a_disclosure_to_the_employees_supervisor_only_under_that_policy(
    client, world, subjects, ada, recipient, expected
):
    world.district.disclosure_recipient = recipient
    world.district.save()
    ada.supervisor = world.clerk
    ada.save()
    client.force_login(world.clerk)

    assert client.get(reverse("disclosures:detail", args=[subjects.filing.pk])).status_code == expected


def test_it_lists_only_the_principals_schools_disclosures_in_their_queue(client, world, cycle, subjects):
    world.district.disclosure_recipient = DisclosureRecipient.SCHOOL
    world.district.save()
    elsewhere = staff_at(world.other_school, first_name="Grace", last_name="Hopper")
    file_none(elsewhere, cycle)

    client.force_login(world.principal)
    principal_queue = [d.employee for d in client.get(reverse("disclosures:review_queue")).context["page"]]
    client.force_login(world.other_principal)
    other_queue = [d.employee for d in client.get(reverse("disclosures:review_queue")).context["page"]]

    assert principal_queue == [subjects.filing.employee]
    assert other_queue == [elsewhere]


def test_it_keeps_a_foreign_director_out_of_norths_disclosures(client, world, subjects):
    client.force_login(world.foreign_director)

    assert client.get(reverse("disclosures:detail", args=[subjects.filing.pk])).status_code == 404
    assert client.get(reverse("disclosures:cycle_detail", args=[subjects.cycle.pk])).status_code == 404
    assert not list(client.get(reverse("disclosures:review_queue")).context["page"])


# --- A district that asks for no disclosure ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(url_names()))
def test_it_explains_that_the_district_asks_for_no_disclosure(client, world, subjects, name):
    world.district.disclosure_required = False
    world.district.save()
    client.force_login(world.director)
    url = url_for(name, subjects, world)

    pages = {
        "home",
        "review_queue",
        "detail",
        "edit",
        "network_edit",
        "cycle_list",
        "cycle_new",
        "cycle_detail",
        "cycle_edit",
    }
    response = client.get(url) if name in pages else client.post(url, post_data(name, subjects))

    assert response.status_code == 404
    page = response.content.decode()
    assert NOT_REQUIRED in page
    assert f'href="{reverse("disclosures:home")}"' not in page


@pytest.mark.parametrize("persona", ["director", "staff"])
def test_it_offers_disclosures_in_the_navigation_only_when_the_district_asks_for_them(client, world, cycle, persona):
    client.force_login(world.persona(persona))
    link = f'href="{reverse("disclosures:home")}">Disclosures</a>'

    assert link in client.get(reverse("home")).content.decode()
    world.district.disclosure_required = False
    world.district.save()
    assert link not in client.get(reverse("home")).content.decode()


def test_it_sends_anonymous_visitors_to_sign_in_even_when_disclosures_are_off(client, world, subjects):
    world.district.disclosure_required = False
    world.district.save()

    response = client.get(reverse("disclosures:home"))

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- Odd input -------------------------------------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/disclosures/{HUGE}/",
        f"/disclosures/{HUGE}/edit/",
        f"/disclosures/networks/{HUGE}/edit/",
        f"/disclosures/cycles/{HUGE}/",
        f"/disclosures/cycles/{HUGE}/edit/",
        "/disclosures/0/",
        "/disclosures/abc/",
        "/disclosures/-1/",
        "/disclosures/cycles/abc/",
        "/disclosures/cycles/new/no-such-district/",
    ],
)
def test_it_answers_unknown_ids_with_not_found_on_get(client, world, cycle, path):
    client.force_login(world.director)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/disclosures/{HUGE}/networks/",
        f"/disclosures/{HUGE}/none/",
        f"/disclosures/{HUGE}/submit/",
        f"/disclosures/{HUGE}/amend/",
        f"/disclosures/{HUGE}/discard/",
        f"/disclosures/{HUGE}/sign-again/",
        f"/disclosures/{HUGE}/review/",
        f"/disclosures/networks/{HUGE}/remove/",
        f"/disclosures/networks/{HUGE}/edit/",
        f"/disclosures/cycles/{HUGE}/start/",
        f"/disclosures/cycles/{HUGE}/edit/",
    ],
)
def test_it_answers_unknown_ids_with_not_found_on_post(client, world, cycle, path):
    client.force_login(world.director)

    assert client.post(path, {"decision": "accept"}).status_code == 404


@pytest.mark.parametrize("action", ["delete", "approve", "CONFIRM", "x" * 200])
def test_it_refuses_an_unknown_network_action(client, world, subjects, ada, action):
    before = snapshot(subjects)
    client.force_login(ada)

    response = client.post(f"/disclosures/networks/{subjects.network.pk}/{action}/")

    assert response.status_code in (403, 404)
    assert snapshot(subjects) == before


@pytest.mark.parametrize("field", ["name", "url"])
def test_it_refuses_nul_bytes_in_a_network_and_saves_nothing(client, world, cycle, ada, field):
    draft = services.disclosure_start(acting_user=ada, cycle=cycle)
    client.force_login(ada)
    value = "Band\x00parents" if field == "name" else "https://example.org/a\x00b"

    response = client.post(reverse("disclosures:network_add", args=[draft.pk]), {**NETWORK, field: value})

    assert response.status_code == 400
    assert response.context["network_form"].errors[field]
    assert not DisclosedNetwork.objects.exists()


def test_it_refuses_nul_bytes_when_a_network_is_changed(client, world, cycle, subjects, ada):
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:network_edit", args=[subjects.network.pk]), {**NETWORK, "name": "Band\x00parents"}
    )

    assert response.status_code == 400
    subjects.network.refresh_from_db()
    assert subjects.network.name == "Band parents"


def test_it_refuses_nul_bytes_in_a_signature(client, world, cycle, ada, ready):
    client.force_login(ada)

    response = client.post(
        reverse("disclosures:submit", args=[ready.pk]),
        {"signed_name": "Ada\x00Lovelace", "signed_hash": cycle.attestation_hash},
    )

    assert response.status_code == 400
    assert reload(ready).state == DisclosureState.DRAFT


def test_it_refuses_nul_bytes_in_a_review_comment(client, world, cycle, filing):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:review", args=[filing.pk]),
        {"decision": "return", "comment": "Add\x00it", "visibility": "employee"},
    )

    assert response.status_code == 302
    assert reload(filing).state == DisclosureState.SUBMITTED
    assert not DisclosureComment.objects.exists()


@pytest.mark.parametrize("params", [{"q": "a\x00b"}, {"page": "x"}, {"page": "-1"}, {"page": HUGE}])
def test_it_answers_odd_parameters_on_the_review_queue(client, world, filing, params):
    client.force_login(world.director)

    response = client.get(reverse("disclosures:review_queue"), params)

    assert response.status_code == 200
    assert [d.pk for d in response.context["page"]] == [filing.pk]


# --- Constant queries -------------------------------------------------------------------------------

STATES = ("not_started", "draft", "submitted", "accepted", "returned", "resubmitted")


def add_staff(world, cycle, count: int) -> None:
    """`count` more staff across North's two schools, in every state in turn."""
    start = DisclosedNetwork.objects.count() + Disclosure.objects.count() + len(world.district.staff.all())
    for n in range(count):
        school = world.school if n % 2 == 0 else world.other_school
        person = staff_at(school, first_name=f"Person{start + n}", last_name=f"Staff{start + n:04d}")
        state = STATES[n % len(STATES)]
        if state == "not_started":
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


def test_it_costs_the_same_queries_for_a_reviewers_home_with_3_or_30_staff(
    client, world, cycle, django_assert_num_queries
):
    add_staff(world, cycle, 3)
    client.force_login(world.director)
    small = queries_for(client, reverse("disclosures:home"))

    add_staff(world, cycle, 27)

    with django_assert_num_queries(small):
        fetch(client, reverse("disclosures:home"))


def earlier_year(world, ada, start_year: int) -> None:
    earlier = services.disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=start_year,
        opens_on=datetime.date(start_year, 9, 1),
        due_on=datetime.date(start_year, 12, 1),
    )
    draft = services.disclosure_start(acting_user=ada, cycle=earlier)
    for network in list(draft.networks.all()):
        services.network_remove(acting_user=ada, network=network)
    add_network(ada, draft, name=f"Network of {start_year}")
    sign(ada, draft)


@pytest.mark.parametrize("filed", [False, True])
def test_it_costs_the_same_queries_for_an_employees_home_with_1_or_4_earlier_years(
    client, world, cycle, ada, filed, django_assert_num_queries
):
    if filed:
        file_networks(ada, cycle, "Band parents")
    earlier_year(world, ada, 2025)
    client.force_login(ada)
    small = queries_for(client, reverse("disclosures:home"))

    for year in (2024, 2023, 2022):
        earlier_year(world, ada, year)

    with django_assert_num_queries(small):
        response = fetch(client, reverse("disclosures:home"))
    assert len(response.context["earlier"]) == 4


def filing_of_size(world, cycle, networks: int, versions: int, comments: int):
    """A teacher's filing (the latest of `versions`) with `networks` networks, each tied to a
    club, and `comments` comments from two reviewers on it."""
    person = staff_at(world.school, first_name="Size", last_name=f"Of{networks}")
    draft = services.disclosure_start(acting_user=person, cycle=cycle)
    for n in range(networks):
        add_network(person, draft, name=f"Network {n}", program=ProgramFactory(school=world.school))
    filed = sign(person, draft)
    for _ in range(versions - 1):
        amendment = services.disclosure_amend(acting_user=person, disclosure=filed)
        filed = sign(person, amendment)
    for n in range(comments):
        author = world.director if n % 2 == 0 else world.superintendent
        visibility = "internal" if n % 3 == 0 else "employee"
        services.disclosure_comment_add(acting_user=author, disclosure=filed, text=f"Note {n}", visibility=visibility)
    return filed


@pytest.mark.parametrize("viewer", ["employee", "director"])
def test_it_costs_the_same_queries_to_show_a_small_or_a_large_disclosure(
    client, world, cycle, viewer, django_assert_num_queries
):
    small = filing_of_size(world, cycle, networks=1, versions=1, comments=1)
    large = filing_of_size(world, cycle, networks=12, versions=4, comments=6)

    def count(filing) -> int:
        client.force_login(filing.employee if viewer == "employee" else world.director)
        return queries_for(client, reverse("disclosures:detail", args=[filing.pk]))

    expected = count(small)
    client.force_login(large.employee if viewer == "employee" else world.director)
    with django_assert_num_queries(expected):
        fetch(client, reverse("disclosures:detail", args=[large.pk]))


def test_it_costs_the_same_queries_to_edit_a_small_or_a_large_draft(client, world, cycle, django_assert_num_queries):
    small_filing = filing_of_size(world, cycle, networks=1, versions=1, comments=0)
    large_filing = filing_of_size(world, cycle, networks=12, versions=2, comments=0)
    small = services.disclosure_amend(acting_user=small_filing.employee, disclosure=small_filing)
    large = services.disclosure_amend(acting_user=large_filing.employee, disclosure=large_filing)
    client.force_login(small.employee)
    expected = queries_for(client, reverse("disclosures:edit", args=[small.pk]))

    client.force_login(large.employee)
    with django_assert_num_queries(expected):
        fetch(client, reverse("disclosures:edit", args=[large.pk]))


def test_it_lets_a_reviewer_add_a_note_the_employee_does_not_see(client, world, cycle, ada, filing):
    client.force_login(world.director)

    response = client.post(
        reverse("disclosures:comment", args=[filing.pk]), {"text": "Asked HR about the GroupMe.", "visibility": ""}
    )

    assert messages_of(response) == ["Your note is added."]
    assert state_of(filing) == state_of(reload(filing))
    assert "Asked HR about the GroupMe." in client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    client.force_login(ada)
    assert (
        "Asked HR about the GroupMe."
        not in client.get(reverse("disclosures:detail", args=[filing.pk])).content.decode()
    )


def test_it_refuses_an_empty_note(client, world, cycle, ada, filing):
    client.force_login(world.director)

    response = client.post(reverse("disclosures:comment", args=[filing.pk]), {"text": "   ", "visibility": "internal"})

    assert messages_of(response) == ["Write the note."]
    assert not DisclosureComment.objects.exists()
