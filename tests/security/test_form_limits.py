"""Over-long and invalid input on every form people fill in: never an error page, the form comes back
with a message on the field (or, for the buttons that post a small form, an error message on the page
they return to), and nothing is saved.

The table is built from the forms themselves: each field of each form below gets its bad values from its
kind (a text field one character over its limit and a megabyte, an impossible date, a number out of range,
an address that is not one, a choice that is not offered). A new field is tested as soon as it is on a
form listed in PAGES; a new form needs one line there and the valid input it is posted with.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django import forms
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from accounts.forms import EmploymentForm, PolicyProfileForm, RoleGrantForm
from accounts.models import ProgramMembership
from authorizations import services as authorization_services
from authorizations.forms import DecisionForm, ParticipationAnswerForm, RequestForm, RevokeForm
from authorizations.models import Authorization
from consent import services as consent_services
from consent.forms import RecordForm, ScopeForm
from consent.models import ConsentScope, ScopeKind
from disclosures import services as disclosure_services
from disclosures.forms import CommentForm, CycleForm, NetworkForm, SignatureForm
from disclosures.forms import ReviewForm as DisclosureReviewForm
from disclosures.models import DEFAULT_ATTESTATION
from registry.forms import AccountForm, AdministratorForm, ReasonForm, ReviewForm
from tests.disclosures.conftest import open_cycle
from tests.disclosures.filing import file_none
from tests.factories import (
    AdministratorFactory,
    ProgramFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolFactory,
    ToolRequestFactory,
    platform,
    staff_at,
)
from tests.security.strategies import database_state
from tools import services as tool_services
from tools.forms import (
    DesigneeForm,
    LogoPermissionGrantForm,
    LogoPermissionWithdrawForm,
    RequestApproveForm,
    RequestDeclineForm,
    ToolDecisionForm,
    ToolForm,
    ToolRequestForm,
    ToolSetAsideForm,
)

MEGABYTE = "x" * (1 << 20)
HUGE_NUMBER = "99999999999999999999"
TODAY = datetime.date(2026, 11, 21)


def bad_values(field: forms.Field) -> list[str]:
    """Values no field of this kind may accept."""
    if isinstance(field, forms.BooleanField):
        return []  # any value is yes or no
    if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
        return ["999999999", "abc", MEGABYTE]
    if isinstance(field, forms.ChoiceField):  # also typed and multiple choices
        return ["not-a-choice", MEGABYTE]
    if isinstance(field, forms.DateField):
        return ["2026-02-30", "99999-01-01", "yesterday", MEGABYTE]
    if isinstance(field, forms.IntegerField):
        values = [HUGE_NUMBER, "-" + HUGE_NUMBER, "1e400", "12abc"]
        return values + (["-1"] if field.min_value is not None and field.min_value >= 0 else [])
    if isinstance(field, forms.EmailField):
        return ["not-an-email", "a@" + "b" * 300 + ".org", MEGABYTE]
    if isinstance(field, forms.URLField):
        return ["javascript:alert(1)", "https://" + "a" * 600 + ".example.org/", MEGABYTE]
    if isinstance(field, forms.CharField):
        # A text field without a limit accepts the megabyte: the test then fails and names it.
        return (["x" * (field.max_length + 1)] if field.max_length else []) + [MEGABYTE]
    return [MEGABYTE]


# --- The pages, with the valid input each is posted with --------------------------------------------------


@dataclass
class Subjects:
    world: Any
    objects: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.objects[name]


def _nothing(world: Any) -> dict[str, Any]:
    return {}


def _account(world: Any) -> dict[str, Any]:
    world.district.min_account_administrators = 1
    world.district.save()
    account = SocialAccountFactory(school=world.school, district=world.district)
    AdministratorFactory(account=account, user=world.staff, role="primary")
    requested = SocialAccountFactory(school=world.school, district=world.district, status="requested", launched_on=None)
    colleague = staff_at(world.school, email="colleague@north.example.org")
    return {"account": account, "requested": requested, "colleague": colleague}


def _account_with_logo(world: Any) -> dict[str, Any]:
    objects = _account(world)
    tool_services.logo_permission_grant(
        acting_user=world.superintendent,
        subject=objects["account"],
        decided_as="superintendent",
        granted_by_name="Dr. Ada Lovelace, Superintendent",
        granted_on=datetime.date(2026, 11, 2),
        written_as="letter",
    )
    return objects


def _tools(world: Any) -> dict[str, Any]:
    return {
        "tool": ToolFactory(district=world.district, name="Seesaw", conditions=""),
        "tool_request": ToolRequestFactory(
            requested_by=world.staff, school=world.school, tool_name="Flip", lowest_grade=7, highest_grade=8
        ),
    }


def _consent(world: Any) -> dict[str, Any]:
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    social = ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)
    return {"student": StudentFactory(school=world.school), "social": social}


def _authorizations(world: Any) -> dict[str, Any]:
    club = ProgramFactory(school=world.school, name="Robotics Club")
    student = StudentFactory(school=world.school)
    ProgramMembership.objects.create(program=club, student=student)
    tool = ToolFactory(district=world.district, name="Instagram", category="social_media", is_public_social_media=True)

    def ask() -> Authorization:
        return authorization_services.authorization_request(
            acting_user=world.staff,
            tool=tool,
            program=club,
            purpose="The club posts build updates.",
            starts_on=datetime.date(2026, 11, 23),
            ends_on=datetime.date(2027, 6, 10),
        )

    def reload(authorization: Authorization) -> Authorization:
        return Authorization.objects.select_related("district", "tool", "program__school").get(pk=authorization.pk)

    waiting = reload(ask())
    authorized = authorization_services.authorization_grant(
        acting_user=world.superintendent, authorization=reload(ask()), decided_as="superintendent"
    )
    return {"club": club, "tool": tool, "student": student, "waiting": waiting, "authorized": authorized}


def _cycle(world: Any) -> dict[str, Any]:
    cycle = open_cycle(world)
    draft = disclosure_services.disclosure_start(acting_user=world.staff, cycle=cycle)
    filed = file_none(staff_at(world.school, email="filer@north.example.org"), cycle)
    return {"cycle": cycle, "draft": draft, "filed": filed}


def _signable(world: Any) -> dict[str, Any]:
    objects = _cycle(world)
    disclosure_services.disclosure_set_none(
        acting_user=world.staff, disclosure=objects["draft"], takes_part_in_none=True
    )
    return objects


def _policy_profile(s: Subjects) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in PolicyProfileForm(instance=s.world.district).initial.items():
        if value is True:
            data[name] = "on"
        elif value not in (False, None):
            data[name] = value
    return data


@dataclass(frozen=True)
class Page:
    name: str
    form: type[forms.BaseForm]
    persona: str
    setup: Callable[[Any], dict[str, Any]]
    url: Callable[[Subjects], str]
    good: Callable[[Subjects], dict[str, Any]]
    skip: tuple[str, ...] = ()  # fields the form drops on this page

    def fields(self) -> list[str]:
        return [name for name, field in self.form.base_fields.items() if name not in self.skip and bad_values(field)]


PAGES = [
    Page(
        "district_edit",
        PolicyProfileForm,
        "superintendent",  # who may change every field, who decides reserved matters included
        _nothing,
        lambda s: reverse("district_edit", args=[s.world.district.slug]),
        lambda s: {**_policy_profile(s), "name": "North District Schools"},
    ),
    Page(
        "staff_employment",
        EmploymentForm,
        "director",
        _nothing,
        lambda s: reverse("staff_employment", args=[s.world.staff.pk]),
        lambda s: {"started_on": "2020-08-15", "supervisor": s.world.principal.email},
    ),
    Page(
        "staff_grant_role",
        RoleGrantForm,
        "director",
        _nothing,
        lambda s: reverse("staff_grant_role", args=[s.world.staff.pk]),
        lambda s: {"role": "principal", "school": s.world.school.pk},
    ),
    Page(
        "account_request",
        AccountForm,
        "staff",
        _nothing,
        lambda s: reverse("registry:account_request"),
        lambda s: {
            "platform": platform("website").pk,
            "profile_url": "https://north.example.org/band",
            "display_name": "Band",
            "owner_kind": "school",
            "school": s.world.school.pk,
            "purpose": "Concerts.",
            "audience": "families",
        },
        skip=("launched_on",),
    ),
    Page(
        "account_review",
        ReviewForm,
        "director",
        _account,
        lambda s: reverse("registry:account_review", args=[s.account.pk]),
        lambda s: {
            "administrators_confirmed": "on",
            "purpose_confirmed": "on",
            "follows_policy": "on",
            "notes": "All good.",
            "outcome": "recertified",
        },
    ),
    Page(
        "account_logo",
        LogoPermissionGrantForm,
        "superintendent",
        _account,
        lambda s: reverse("registry:account_logo", args=[s.account.pk]),
        lambda s: {
            "decided_as": "superintendent",
            "granted_by_name": "Dr. Ada Lovelace, Superintendent",
            "granted_on": "2026-11-20",
            "written_as": "letter",
            "reference": "Letter in the communications file.",
            "conditions": "Unaltered logo.",
        },
    ),
    Page(
        "account_logo_withdraw",
        LogoPermissionWithdrawForm,
        "superintendent",
        _account_with_logo,
        lambda s: reverse("registry:account_logo_withdraw", args=[s.account.pk]),
        lambda s: {"reason": "The logo changed."},
    ),
    Page(
        "administrator_add",
        AdministratorForm,
        "director",
        _account,
        lambda s: reverse("registry:administrator_add", args=[s.account.pk]),
        lambda s: {"email": s.colleague.email, "role": "backup"},
    ),
    Page(
        "account_reject",
        ReasonForm,
        "director",
        _account,
        lambda s: reverse("registry:account_transition", args=[s.requested.pk, "reject"]),
        lambda s: {"reason": "The school already has a page."},
    ),
    Page(
        "tool_new",
        ToolForm,
        "director",
        _nothing,
        lambda s: reverse("tools:tool_new"),
        lambda s: {"name": "Padlet", "category": "creation", "website": "https://padlet.com/", "lowest_grade": "3"},
    ),
    Page(
        "tool_decide",
        ToolDecisionForm,
        "superintendent",
        _tools,
        lambda s: reverse("tools:tool_decide", args=[s.tool.pk]),
        lambda s: {
            "status": "approved_with_conditions",
            "decided_as": "superintendent",
            "conditions": "Class accounts only.",
            "decision_reference": "Letter of November 2.",
        },
    ),
    Page(
        "tool_set_aside",
        ToolSetAsideForm,
        "director",
        _tools,
        lambda s: reverse("tools:tool_set_aside", args=[s.tool.pk]),
        lambda s: {"status": "under_review", "reason": "The privacy agreement lapsed."},
    ),
    Page(
        "request_new",
        ToolRequestForm,
        "staff",
        _nothing,
        lambda s: reverse("tools:request_new"),
        lambda s: {
            "tool_name": "Padlet",
            "website": "padlet.com",
            "purpose": "Students post book reviews for each other.",
            "students": "My two 7th-grade English classes, 50 students.",
            "school": s.world.school.pk,
            "lowest_grade": "7",
            "highest_grade": "7",
        },
    ),
    Page(
        "request_approve",
        RequestApproveForm,
        "superintendent",
        _tools,
        lambda s: reverse("tools:request_approve", args=[s.tool_request.pk]),
        lambda s: {"decided_as": "superintendent", "conditions": "", "decision_reference": "", "reason": "Enjoy."},
    ),
    Page(
        "request_decline",
        RequestDeclineForm,
        "superintendent",
        _tools,
        lambda s: reverse("tools:request_decline", args=[s.tool_request.pk]),
        lambda s: {"decided_as": "superintendent", "decision_reason": "Its terms allow ads.", "decision_reference": ""},
    ),
    Page(
        "designee_add",
        DesigneeForm,
        "superintendent",
        _nothing,
        lambda s: reverse("tools:designee_add"),
        lambda s: {"email": s.world.principal.email, "power": "tools", "note": "While I am on leave."},
    ),
    Page(
        "consent_record",
        RecordForm,
        "clerk",
        _consent,
        lambda s: reverse("consent:student", args=[s.student.pk]),
        lambda s: {
            "scope": s.social.pk,
            "decision": "granted",
            "received_on": "2026-11-20",
            "received_by": "paper",
            "guardian_name": "A. Parent",
            "note": "Form returned by the student.",
        },
    ),
    Page(
        "scope_new",
        ScopeForm,
        "director",
        _nothing,
        lambda s: reverse("consent:scope_new", args=[s.world.district.slug]),
        lambda s: {
            "name": "Robotics photos",
            "description": "Photos of the robotics club at competitions.",
            "model": "written_consent",
            "follows_policy": "on",  # the district's profile: written consent, no exception
            "position": "5",
            "active": "on",
        },
    ),
    Page(
        "authorization_new",
        RequestForm,
        "staff",
        _authorizations,
        lambda s: reverse("authorizations:new"),
        lambda s: {
            "tool": s.tool.pk,
            "program": s.club.pk,
            "purpose": "Share the science fair.",
            "starts_on": "2026-12-01",
            "ends_on": "2027-05-31",
        },
    ),
    Page(
        "authorization_decide",
        DecisionForm,
        "superintendent",
        _authorizations,
        lambda s: reverse("authorizations:decide", args=[s.waiting.pk]),
        lambda s: {"decision": "authorize", "decided_as": "superintendent", "reference": "", "reason": "Fine."},
    ),
    Page(
        "authorization_revoke",
        RevokeForm,
        "superintendent",
        _authorizations,
        lambda s: reverse("authorizations:revoke", args=[s.authorized.pk]),
        lambda s: {"reason": "A parent complained about a post."},
    ),
    Page(
        "authorization_record_consent",
        ParticipationAnswerForm,
        "clerk",
        _authorizations,
        lambda s: reverse("authorizations:record_consent", args=[s.authorized.pk]),
        lambda s: {
            "student": s.student.pk,
            "decision": "granted",
            "received_on": "2026-11-20",
            "received_by": "paper",
            "guardian_name": "M. Marchetti",
            "note": "",
        },
    ),
    Page(
        "cycle_new",
        CycleForm,
        "director",
        _cycle,
        lambda s: reverse("disclosures:cycle_new", args=[s.world.district.slug]),
        lambda s: {
            "school_year_start": "2027",
            "opens_on": "2027-08-20",
            "due_on": "2027-10-01",
            "new_hire_grace_days": "30",
            "attestation_text": DEFAULT_ATTESTATION,
        },
    ),
    Page(
        "network_add",
        NetworkForm,
        "staff",
        _cycle,
        lambda s: reverse("disclosures:network_add", args=[s.draft.pk]),
        lambda s: {
            "platform": "facebook",
            "name": "Band parents",
            "url": "https://facebook.example.org/band",
            "run_by": "parents",
            "part": "member",
            "students_are_members": "no",
        },
    ),
    Page(
        "disclosure_submit",
        SignatureForm,
        "staff",
        _signable,
        lambda s: reverse("disclosures:submit", args=[s.draft.pk]),
        lambda s: {"signed_name": s.world.staff.full_name, "signed_hash": s.cycle.attestation_hash},
    ),
    Page(
        "disclosure_review",
        DisclosureReviewForm,
        "director",
        _cycle,
        lambda s: reverse("disclosures:review", args=[s.filed.pk]),
        lambda s: {"decision": "accept", "comment": "Thank you.", "visibility": "employee"},
    ),
    Page(
        "disclosure_comment",
        CommentForm,
        "director",
        _cycle,
        lambda s: reverse("disclosures:comment", args=[s.filed.pk]),
        lambda s: {"text": "Please check the band page.", "visibility": "internal"},
    ),
]
TABLE = [(page, field) for page in PAGES for field in page.fields()]


# --- The checks ----------------------------------------------------------------------------------------------


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _forms_in(response: Any) -> Iterator[forms.BaseForm]:
    """Every form the page was drawn with, including those inside dicts (the logo section)."""
    for context in response.context or []:
        for values in context.dicts:
            for value in values.values():
                candidates = value.values() if isinstance(value, dict) else [value]
                yield from (c for c in candidates if isinstance(c, forms.BaseForm))


def refusal(response: Any, page: Page, field: str) -> str | None:
    """Why the answer is not a refusal the person can read (None when it is)."""
    if response.status_code in (200, 400):
        refused = [f for f in _forms_in(response) if isinstance(f, page.form) and f.is_bound and field in f.errors]
        if not refused:
            return f"{response.status_code} without an error on {field}"
        text = response.content.decode()
        if not any(escape(message) in text for message in refused[0].errors[field]):
            return f"the error on {field} ({refused[0].errors[field]}) is not on the page"
        return None
    if response.status_code == 302:
        errors = [m for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]
        return None if errors else "redirected without an error message"
    return f"answered {response.status_code}"


def test_it_tests_each_kind_of_field_of_every_form():
    assert len({page.form for page in PAGES}) == len(PAGES)  # one page per form
    assert all(page.fields() for page in PAGES)


# Not "page": pytest-playwright owns that fixture name.
@pytest.mark.parametrize(("form_page", "field"), TABLE, ids=[f"{page.name}-{field}" for page, field in TABLE])
def test_it_refuses_over_long_and_invalid_input_with_a_message_and_saves_nothing(
    client, world, today, form_page, field
):
    page = form_page
    subjects = Subjects(world, page.setup(world))
    client.force_login(world.persona(page.persona))
    url, good = page.url(subjects), page.good(subjects)
    before = database_state()
    failures = []

    for value in bad_values(page.form.base_fields[field]):
        with rolled_back():
            response = client.post(url, {**good, field: value})

            why = refusal(response, page, field)
            changed = [t for t, state in database_state().items() if before.get(t) != state]
        if why or changed:
            failures.append((f"{value[:30]!r} ({len(value)} characters)", why, changed))

    assert not failures, failures


@pytest.mark.parametrize("form_page", PAGES, ids=[page.name for page in PAGES])
def test_the_valid_input_used_above_is_saved(client, world, today, form_page):
    page = form_page
    subjects = Subjects(world, page.setup(world))
    client.force_login(world.persona(page.persona))
    before = database_state()

    response = client.post(page.url(subjects), page.good(subjects))

    assert response.status_code == 302, [f.errors for f in _forms_in(response)]
    assert not [m for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]
    assert database_state() != before
