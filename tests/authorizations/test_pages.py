"""Authorization pages through HTTP: who may open and act on which page, who sees students' names,
recording a family's answer from the page, odd input, and constant queries."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse

from accounts.models import Approver, ProgramMembership, Student
from authorizations import services as authorization_services
from authorizations import urls as authorization_urls
from authorizations.models import Authorization, AuthorizationStatus
from consent import services
from consent.models import ConsentRecord, ConsentScope, ListKind, ListViewLog
from tests.factories import ProgramFactory, StudentFactory, ToolFactory, staff_at
from tests.pages import fetch, queries_for
from tools.services import designee_add

LOGIN = "/account/login/"
HUGE = "99999999999999999999"
STARTS = datetime.date(2026, 11, 23)
ENDS = datetime.date(2027, 6, 10)


def text(response) -> str:
    """The page as a reader sees it (entities such as ' decoded)."""
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reload(authorization) -> Authorization:
    return Authorization.objects.select_related("district", "tool", "program__school").get(pk=authorization.pk)


def ask(world, tool, program, by=None) -> Authorization:
    return authorization_services.authorization_request(
        acting_user=by or world.staff,
        tool=tool,
        program=program,
        purpose="The club posts build updates.",
        starts_on=STARTS,
        ends_on=ENDS,
    )


def authorize(world, authorization) -> Authorization:
    return authorization_services.authorization_grant(
        acting_user=world.superintendent,
        authorization=reload(authorization),
        decided_as="superintendent",
        reason="Keep faces out.",
    )


def enrol(program, count: int, **kwargs) -> list[Student]:
    students = StudentFactory.create_batch(count, school=program.school, **kwargs)
    ProgramMembership.objects.bulk_create(ProgramMembership(program=program, student=s) for s in students)
    return students


def grant(world, authorization, student, decision="granted") -> None:
    services.consent_record(
        acting_user=world.clerk,
        student=student,
        scope=ConsentScope.objects.select_related("district").get(authorization=authorization),
        decision=decision,
        received_on=datetime.date(2026, 11, 2),
    )


@pytest.fixture
def club(world):
    return ProgramFactory(school=world.school, name="Robotics Club")


@pytest.fixture
def instagram(world):
    return ToolFactory(district=world.district, name="Instagram", category="social_media", is_public_social_media=True)


@dataclass
class Subjects:
    """The teacher's two requests for the Robotics Club: one waiting, one authorized with one
    family's consent of three (Lindqvist consented; Marchetti and Okafor have not)."""

    waiting: Authorization
    authorized: Authorization
    lindqvist: Student
    marchetti: Student
    okafor: Student


@pytest.fixture
def subjects(world, today, club, instagram) -> Subjects:
    lindqvist = enrol(club, 1, first_name="Ana", last_name="Lindqvist")[0]
    marchetti = enrol(club, 1, first_name="Bea", last_name="Marchetti")[0]
    okafor = enrol(club, 1, first_name="Chi", last_name="Okafor")[0]
    waiting = ask(world, instagram, club)
    authorized = authorize(world, ask(world, instagram, club))
    grant(world, authorized, lindqvist)
    return Subjects(reload(waiting), reload(authorized), lindqvist, marchetti, okafor)


# --- Who may open and act on which page ------------------------------------------------------------

PERSONAS = (
    "director",
    "superintendent",
    "communications",
    "principal",
    "clerk",
    "staff",
    "other_principal",
    "foreign_director",
    "foreign_principal",
    "anonymous",
)


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


# Which role may open which page (GET) is the permission matrix's (tests/security/test_permission_matrix.py).
# Here each action is posted with valid input: those allowed change what they asked, the others nothing.
#                        dir  supt comm  prin clerk staff other fdir fprin anon
POST_STATUS = {
    # other_principal and the foreign district may not ask for a program of North High: the form says so.
    "new": row(302, 302, 302, 302, 302, 302, 400, 400, 400, 302),
    "decide": row(403, 302, 404, 403, 403, 403, 404, 404, 404, 302),
    "revoke": row(403, 302, 404, 403, 403, 403, 404, 404, 404, 302),
    "withdraw": row(403, 403, 404, 403, 403, 302, 404, 404, 404, 302),
    "record_consent": row(302, 302, 404, 302, 302, 403, 404, 404, 404, 302),
    "ask_families": row(302, 302, 404, 302, 302, 403, 404, 404, 404, 302),
}


def url_names() -> set[str]:
    return {pattern.name for pattern in authorization_urls.urlpatterns if isinstance(pattern, URLPattern)}


def test_it_posts_to_every_authorization_action():
    assert set(POST_STATUS) == url_names() - {"list", "detail", "pick_program"}  # pages, not actions


def url_for(name: str, s: Subjects) -> str:
    authorization = {"decide": s.waiting, "withdraw": s.authorized}.get(name, s.authorized)
    return reverse(f"authorizations:{name}", args=[] if name in ("list", "new") else [authorization.pk])


def post_data(name: str, s: Subjects) -> dict:
    return {
        "new": {
            "tool": s.authorized.tool_id,
            "program": s.authorized.program_id,
            "purpose": "Share the science fair.",
            "starts_on": "2026-12-01",
            "ends_on": "2027-05-31",
        },
        "decide": {"decision": "authorize", "decided_as": "superintendent", "reference": "", "reason": ""},
        "revoke": {"reason": "A parent complained about a post."},
        "withdraw": {},
        "ask_families": {},
        "record_consent": {
            "student": s.marchetti.pk,
            "decision": "granted",
            "received_on": "2026-11-20",
            "received_by": "paper",
            "guardian_name": "M. Marchetti",
        },
    }[name]


def snapshot() -> tuple:
    return (
        tuple(Authorization.objects.order_by("pk").values_list("pk", "status")),
        tuple(ConsentScope.objects.order_by("pk").values_list("pk", "active")),
        ConsentRecord.objects.count(),
    )


def login_as(client, world, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.persona(persona))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POST_STATUS))
def test_it_answers_each_persona_with_the_expected_status_on_post(client, world, subjects, name, persona):
    login_as(client, world, persona)
    before = snapshot()

    response = client.post(url_for(name, subjects), post_data(name, subjects))

    expected = POST_STATUS[name][persona]
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(LOGIN)
    if persona == "anonymous" or expected != 302:
        assert snapshot() == before
        return
    if name == "new":
        created = Authorization.objects.latest("pk")
        assert (created.staff_member, created.status) == (world.persona(persona), AuthorizationStatus.REQUESTED)
        assert response["Location"] == reverse("authorizations:detail", args=[created.pk])
        return
    acted_on = subjects.waiting if name == "decide" else subjects.authorized
    assert response["Location"] == reverse("authorizations:detail", args=[acted_on.pk])
    changed = {
        "decide": lambda: reload(subjects.waiting).status == AuthorizationStatus.AUTHORIZED,
        "revoke": lambda: reload(subjects.authorized).status == AuthorizationStatus.REVOKED,
        "withdraw": lambda: reload(subjects.authorized).status == AuthorizationStatus.WITHDRAWN,
        "record_consent": lambda: ConsentRecord.objects.filter(student=subjects.marchetti).exists(),
        # The families of the enrolled students were sent their links (the privacy log says so).
        "ask_families": lambda: ListViewLog.objects.filter(kind=ListKind.FAMILY_LINKS).exists(),
    }[name]
    assert changed()


# --- Who sees students' names --------------------------------------------------------------------

NAMES = ("Lindqvist", "Marchetti", "Okafor")


@pytest.mark.parametrize("persona", ["director", "superintendent", "principal", "clerk", "staff"])
def test_it_shows_the_students_and_their_answers_to_the_school_and_the_staff_member(client, world, subjects, persona):
    client.force_login(world.persona(persona))

    page = text(client.get(url_for("detail", subjects)))

    assert all(name in page for name in NAMES)
    assert page.index("Marchetti") < page.index("Lindqvist")  # missing consent first
    assert "The family gave consent on November 2, 2026." in page
    logged = ListViewLog.objects.get(user=world.persona(persona))
    assert (logged.kind, logged.subject) == (
        ListKind.PROGRAM,
        f"Authorization #{subjects.authorized.pk}: Instagram with Robotics Club",
    )


def test_it_shows_a_designee_from_another_school_the_counts_but_not_the_names(client, world, subjects):
    designee_add(
        acting_user=world.superintendent, district=world.district, user=world.other_principal, power="instructional_use"
    )
    client.force_login(world.other_principal)

    page = text(client.get(url_for("detail", subjects)))

    assert "Not ready: 2 of 3 students are missing a parent's consent" in page
    assert "3 students enrolled; 1 with a parent's consent." in page
    assert not any(name in page for name in NAMES)
    assert not ListViewLog.objects.exists()
    assert "Record a family" not in page


def test_it_never_shows_names_or_counts_across_schools_and_districts(client, world, subjects):
    foreign_club = ProgramFactory(school=world.foreign_school, name="South Robotics")
    enrol(foreign_club, 1, last_name="Southerly")
    foreign_tool = ToolFactory(district=world.other_district, name="Instagram", is_public_social_media=True)
    foreign_teacher = staff_at(world.foreign_school)
    foreign_use = ask(world, foreign_tool, foreign_club, by=foreign_teacher)

    for persona in ("other_principal", "foreign_director", "foreign_principal"):
        client.force_login(world.persona(persona))
        listing = text(client.get(reverse("authorizations:list")))
        assert "Robotics Club" not in listing
        assert client.get(url_for("detail", subjects)).status_code == 404
    for persona in ("director", "superintendent", "principal", "clerk", "staff"):
        client.force_login(world.persona(persona))
        assert client.get(reverse("authorizations:detail", args=[foreign_use.pk])).status_code == 404
        assert "South Robotics" not in text(client.get(reverse("authorizations:list")))
    assert not ListViewLog.objects.exists()


def test_it_lists_counts_never_names(client, world, subjects):
    client.force_login(world.superintendent)

    page = text(client.get(reverse("authorizations:list")))

    assert "1 of 3 families have consented" in page
    assert not any(name in page for name in NAMES)
    assert not ListViewLog.objects.exists()


# --- The list -------------------------------------------------------------------------------------


def test_it_shows_the_superintendent_what_waits_for_a_decision_oldest_first(client, world, subjects, club, instagram):
    later = ask(world, instagram, club)
    client.force_login(world.superintendent)

    response = client.get(reverse("authorizations:list"))

    sections = {key: list(page) for key, _, _, page, _ in response.context["sections"]}
    assert sections["waiting"] == [subjects.waiting, later]
    assert sections["in_force"] == [subjects.authorized]
    assert "Waiting for your decision" in text(response)
    assert sections["in_force"][0].readiness.label == "Not ready"


def test_it_shows_the_teacher_their_own_authorizations_once(client, world, subjects):
    client.force_login(world.staff)

    response = client.get(reverse("authorizations:list"))

    sections = {key: list(page) for key, _, _, page, _ in response.context["sections"]}
    assert sections == {"mine": [subjects.authorized, subjects.waiting]}
    page = text(response)
    assert "My authorizations" in page and "Waiting for your decision" not in page


def test_it_shows_the_clerk_the_schools_authorizations_with_their_readiness(client, world, subjects):
    client.force_login(world.clerk)

    response = client.get(reverse("authorizations:list"))

    sections = {key: list(page) for key, _, _, page, _ in response.context["sections"]}
    assert sections == {"waiting": [subjects.waiting], "in_force": [subjects.authorized]}
    assert "Waiting for a decision" in text(response)


def test_it_shows_ready_when_every_family_has_consented(client, world, subjects):
    grant(world, subjects.authorized, subjects.marchetti)
    grant(world, subjects.authorized, subjects.okafor)
    client.force_login(world.principal)

    response = client.get(reverse("authorizations:list"))

    [authorization] = [
        authorization
        for key, _, _, page, _ in response.context["sections"]
        for authorization in page
        if key == "in_force"
    ]
    assert (authorization.readiness.label, authorization.readiness.detail) == (
        "Ready",
        "3 of 3 families have consented",
    )
    assert "3 of 3 families have consented" in text(response)


# --- The detail page and its forms --------------------------------------------------------------


def test_it_says_plainly_that_the_authorization_is_not_ready_and_who_is_missing(client, world, subjects):
    client.force_login(world.clerk)

    page = text(client.get(url_for("detail", subjects)))

    assert "Not ready: 2 of 3 students are missing a parent's consent — they may not take part" in page
    assert page.count("No consent yet: may not take part") == 2
    assert "Record a family's answer" in page
    assert f"?student={subjects.marchetti.pk}#record" in page
    assert f"?student={subjects.lindqvist.pk}#record" not in page  # already has consent


def test_recording_a_consent_from_the_page_makes_the_authorization_ready(client, world, subjects):
    client.force_login(world.clerk)
    data = post_data("record_consent", subjects)

    first = client.post(reverse("authorizations:record_consent", args=[subjects.authorized.pk]), data)
    middle = text(client.get(url_for("detail", subjects)))
    client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]), {**data, "student": subjects.okafor.pk}
    )
    ready = text(client.get(url_for("detail", subjects)))

    assert first.status_code == 302
    assert "Recorded: the family of Bea Marchetti consents." in messages_of(first)
    assert "Not ready: 1 of 3 students is missing a parent's consent" in middle
    assert "Ready: every one of the 3 enrolled students has a parent's consent." in ready
    assert "Record answer" not in ready
    record = ConsentRecord.objects.get(student=subjects.marchetti)
    assert (record.recorded_by, record.guardian_name, record.scope.authorization.pk) == (
        world.clerk,
        "M. Marchetti",
        subjects.authorized.pk,
    )


def test_recording_a_withdrawal_from_the_page_makes_it_not_ready_again(client, world, subjects):
    for student in (subjects.marchetti, subjects.okafor):
        grant(world, subjects.authorized, student)
    client.force_login(world.principal)

    client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]),
        {**post_data("record_consent", subjects), "student": subjects.lindqvist.pk, "decision": "withdrawn"},
    )

    assert "Not ready: 1 of 3 students is missing" in text(client.get(url_for("detail", subjects)))


def test_it_tells_a_refusal_and_a_withdrawal_apart_from_a_missing_form(client, world, subjects):
    grant(world, subjects.authorized, subjects.marchetti, "refused")
    grant(world, subjects.authorized, subjects.lindqvist, "withdrawn")
    client.force_login(world.principal)

    page = text(client.get(url_for("detail", subjects)))

    assert "Refused: may not take part" in page
    assert "Consent withdrawn: may not take part" in page
    assert "No consent yet: may not take part" in page
    assert "Not ready: 3 of 3 students are missing" in page


def test_it_refuses_to_record_a_student_not_in_the_program(client, world, subjects):
    outsider = StudentFactory(school=world.school)
    client.force_login(world.clerk)

    response = client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]),
        {**post_data("record_consent", subjects), "student": outsider.pk},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert not ConsentRecord.objects.filter(student=outsider).exists()


def test_it_refuses_a_clerk_the_answer_of_a_member_from_another_school(client, world, subjects, club):
    visitor = StudentFactory(school=world.other_school, last_name="Visitorson")
    ProgramMembership.objects.create(program=club, student=visitor)
    client.force_login(world.clerk)

    response = client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]),
        {**post_data("record_consent", subjects), "student": visitor.pk},
    )

    assert response.status_code == 400
    assert not ConsentRecord.objects.filter(student=visitor).exists()


def test_it_refuses_an_answer_dated_in_the_future_on_the_form(client, world, subjects):
    client.force_login(world.clerk)

    response = client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]),
        {**post_data("record_consent", subjects), "received_on": "2026-12-01"},
    )

    assert response.status_code == 400
    assert "The date cannot be in the future." in text(response)
    assert not ConsentRecord.objects.filter(student=subjects.marchetti).exists()


def test_it_offers_no_answer_form_before_authorization_or_after_withdrawal(client, world, subjects):
    client.force_login(world.clerk)
    assert "Record a family" not in text(client.get(reverse("authorizations:detail", args=[subjects.waiting.pk])))

    authorization_services.authorization_withdraw(acting_user=world.staff, authorization=reload(subjects.authorized))
    response = client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]), post_data("record_consent", subjects)
    )

    assert response.status_code == 302
    assert any("recorded once it is authorized" in message for message in messages_of(response))
    assert not ConsentRecord.objects.filter(student=subjects.marchetti).exists()
    page = text(client.get(url_for("detail", subjects)))
    assert "Withdrawn: students may not use Instagram with Robotics Club under it." in page
    assert "Record a family" not in page


def test_the_superintendent_authorizes_from_the_page_and_consent_collection_opens(client, world, subjects):
    client.force_login(world.superintendent)
    url = reverse("authorizations:detail", args=[subjects.waiting.pk])
    assert "Your decision" in text(client.get(url))

    response = client.post(
        reverse("authorizations:decide", args=[subjects.waiting.pk]),
        {"decision": "authorize", "decided_as": "superintendent", "reference": "Memo 12", "reason": "No faces."},
    )

    assert response["Location"] == url
    authorization = reload(subjects.waiting)
    assert (authorization.status, authorization.decided_by, authorization.decision_reference) == (
        "authorized",
        world.superintendent,
        "Memo 12",
    )
    page = text(client.get(url))
    assert "Not ready: 3 of 3 students are missing" in page
    assert "as the Superintendent" in page and "Memo 12" in page and "No faces." in page
    assert "Authorized, as the Superintendent (written record: Memo 12)" in page


def test_declining_needs_a_reason_and_says_so_on_the_form(client, world, subjects):
    client.force_login(world.superintendent)

    response = client.post(
        reverse("authorizations:decide", args=[subjects.waiting.pk]),
        {"decision": "decline", "decided_as": "superintendent", "reason": ""},
    )

    assert response.status_code == 400
    assert "Give the reason" in text(response)
    assert reload(subjects.waiting).status == AuthorizationStatus.REQUESTED


def test_it_offers_only_the_school_board_capacity_under_a_board_policy_and_needs_the_minutes(client, world, subjects):
    world.district.instructional_use_approver = Approver.SCHOOL_BOARD
    world.district.save()
    client.force_login(world.superintendent)

    form = client.get(reverse("authorizations:detail", args=[subjects.waiting.pk])).context["decision_form"]
    refused = client.post(
        reverse("authorizations:decide", args=[subjects.waiting.pk]),
        {"decision": "authorize", "decided_as": "school_board", "reference": ""},
    )
    as_superintendent = client.post(
        reverse("authorizations:decide", args=[subjects.waiting.pk]),
        {"decision": "authorize", "decided_as": "superintendent", "reference": "Minutes"},
    )

    assert [value for value, _ in form.fields["decided_as"].choices] == ["school_board"]
    assert refused.status_code == 400
    assert "Say where the Board" in text(refused)
    assert as_superintendent.status_code == 400
    assert reload(subjects.waiting).status == AuthorizationStatus.REQUESTED


def test_it_answers_a_second_decision_with_the_reason_not_an_error(client, world, subjects):
    client.force_login(world.superintendent)

    response = client.post(
        reverse("authorizations:decide", args=[subjects.authorized.pk]),
        {"decision": "authorize", "decided_as": "superintendent"},
    )

    assert response.status_code == 400
    assert "already authorized" in text(response)


def test_revoking_from_the_page_keeps_the_answers_and_tells_who_and_why(client, world, subjects):
    client.force_login(world.superintendent)

    client.post(reverse("authorizations:revoke", args=[subjects.authorized.pk]), {"reason": "A parent complained."})

    page = text(client.get(url_for("detail", subjects)))
    assert "Revoked: students may no longer use Instagram with Robotics Club." in page
    assert "A parent complained." in page and "Keep faces out." in page  # both reasons stay readable
    assert ConsentRecord.objects.filter(student=subjects.lindqvist).count() == 1


def test_the_teacher_withdraws_from_the_page(client, world, subjects):
    client.force_login(world.staff)
    assert "Withdraw" in text(client.get(reverse("authorizations:detail", args=[subjects.waiting.pk])))

    response = client.post(reverse("authorizations:withdraw", args=[subjects.waiting.pk]))
    again = client.post(reverse("authorizations:withdraw", args=[subjects.waiting.pk]))

    assert reload(subjects.waiting).status == AuthorizationStatus.WITHDRAWN
    assert response.status_code == again.status_code == 302
    assert any("already withdrawn" in message for message in messages_of(again))


def test_it_tells_the_story_in_plain_words(client, world, subjects):
    client.force_login(world.principal)

    response = client.get(url_for("detail", subjects))

    summaries = [event.summary for event in response.context["history"].entries]
    assert summaries == [
        "Authorized, as the Superintendent",
        "Asked to use it from November 23, 2026 until June 10, 2027",
    ]
    assert [event.who for event in response.context["history"].entries] == [
        world.superintendent.full_name,
        world.staff.full_name,
    ]


def test_a_tool_needing_no_consent_is_ready_without_a_consent_table(client, world, today, club):
    enrol(club, 2, last_name="Quizzer")
    quizlet = ToolFactory(district=world.district, name="Quizlet")
    authorization = authorize(world, ask(world, quizlet, club))
    client.force_login(world.clerk)

    page = text(client.get(reverse("authorizations:detail", args=[authorization.pk])))

    assert "Ready: Quizlet needs no parental consent" in page
    assert "2 students enrolled in Robotics Club. Quizlet needs no parental consent." in " ".join(page.split())
    assert "Quizzer" not in page and "Record a family" not in page
    assert not ListViewLog.objects.exists()


def test_it_says_an_empty_program_is_not_ready(client, world, today, instagram):
    empty = ProgramFactory(school=world.school, name="Chess Club")
    authorization = authorize(world, ask(world, instagram, empty))
    client.force_login(world.superintendent)

    page = text(client.get(reverse("authorizations:detail", args=[authorization.pk])))

    assert "Not ready: no students are enrolled in Chess Club yet" in page


# --- Asking from the page -------------------------------------------------------------------------


def test_the_request_form_offers_only_the_districts_usable_tools_and_the_teachers_programs(
    client, world, subjects, instagram
):
    ToolFactory(district=world.district, name="Pending Tool", status="under_review")
    ToolFactory(district=world.other_district, name="Southern Tool")
    conditional = ToolFactory(
        district=world.district,
        name="Padlet",
        status="approved_with_conditions",
        conditions="Teacher-created boards only.",
    )
    ProgramFactory(school=world.other_school, name="Elementary Choir")
    client.force_login(world.staff)

    response = client.get(reverse("authorizations:new"), {"tool": conditional.pk})

    form = response.context["form"]
    assert set(form.fields["tool"].queryset) == {instagram, conditional}
    assert [p.name for p in form.fields["program"].queryset] == ["Robotics Club"]
    page = text(response)
    assert "Teacher-created boards only." in page
    assert "parental consent needed" in page
    assert response.context["chosen"] == conditional
    assert f'<option value="{conditional.pk}" selected>' in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "Nul\x00byte"}, "purpose"),
        ({"purpose": "x" * 2001}, "purpose"),
        ({"purpose": ""}, "purpose"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": "99999-01-01"}, "ends_on"),
        ({"ends_on": "\x00"}, "ends_on"),
        ({"ends_on": "2026-11-01"}, "ends_on"),
        ({"ends_on": "2026-11-20", "starts_on": "2026-11-01"}, "ends_on"),
        ({"ends_on": "2028-06-01"}, "ends_on"),
        ({"tool": HUGE}, "tool"),
        ({"tool": "abc"}, "tool"),
        ({"tool": "1\x00"}, "tool"),
        ({"program": HUGE}, "program"),
        ({"program": "-1"}, "program"),
    ],
)
def test_it_refuses_odd_request_input_with_the_field_error(client, world, subjects, change, field):
    client.force_login(world.staff)
    before = snapshot()

    response = client.post(reverse("authorizations:new"), {**post_data("new", subjects), **change})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_it_refuses_a_tool_not_on_the_list_posted_by_hand(client, world, subjects):
    pending = ToolFactory(district=world.district, name="Pending Tool", status="under_review")
    client.force_login(world.staff)

    response = client.post(reverse("authorizations:new"), {**post_data("new", subjects), "tool": pending.pk})

    assert response.status_code == 400
    assert "tool" in response.context["form"].errors


@pytest.mark.parametrize("value", [HUGE, "\x00", "abc", "<script>"])
def test_it_ignores_an_odd_preselected_tool_or_student(client, world, subjects, value):
    client.force_login(world.clerk)

    assert client.get(reverse("authorizations:new"), {"tool": value}).status_code == 200
    assert client.get(url_for("detail", subjects), {"student": value}).status_code == 200


# --- Odd input on the actions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "authorize", "decided_as": "\x00"},
        {"decision": "authorize", "decided_as": "designee"},
        {"decision": "maybe", "decided_as": "superintendent"},
        {"decision": "decline", "decided_as": "superintendent", "reason": "x" * 2001},
        {"decision": "decline", "decided_as": "superintendent", "reason": "Nul\x00"},
        {"decision": "authorize", "decided_as": "superintendent", "reference": "x" * 301},
        {},
    ],
)
def test_it_refuses_odd_decisions_without_an_error(client, world, subjects, data):
    client.force_login(world.superintendent)
    before = snapshot()

    response = client.post(reverse("authorizations:decide", args=[subjects.waiting.pk]), data)

    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize(
    "change",
    [
        {"student": HUGE},
        {"student": "abc"},
        {"student": "\x00"},
        {"student": ""},
        {"decision": "maybe"},
        {"received_on": "2026-13-01"},
        {"received_on": "1900-01-01"},
        {"received_by": "sis_import"},
        {"guardian_name": "x" * 201},
        {"note": "Nul\x00"},
    ],
)
def test_it_refuses_odd_answers_without_an_error(client, world, subjects, change):
    client.force_login(world.clerk)
    before = snapshot()

    response = client.post(
        reverse("authorizations:record_consent", args=[subjects.authorized.pk]),
        {**post_data("record_consent", subjects), **change},
    )

    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "x" * 2001}, {"reason": "\x00"}])
def test_it_refuses_a_revocation_without_a_proper_reason(client, world, subjects, data):
    client.force_login(world.superintendent)

    response = client.post(reverse("authorizations:revoke", args=[subjects.authorized.pk]), data)

    assert response.status_code == 400
    assert reload(subjects.authorized).status == AuthorizationStatus.AUTHORIZED


@pytest.mark.parametrize("pk", [HUGE, "0"])
@pytest.mark.parametrize("name", ["detail", "decide", "revoke", "withdraw", "record_consent"])
def test_it_answers_unknown_ids_with_not_found(client, world, subjects, name, pk):
    client.force_login(world.superintendent)
    url = reverse(f"authorizations:{name}", args=[1]).replace("/1/", f"/{pk}/")

    response = client.get(url) if name == "detail" else client.post(url, post_data(name, subjects))

    assert response.status_code == 404


# --- Queries do not grow with the data -------------------------------------------------------------


@pytest.mark.parametrize("persona", ["clerk", "superintendent", "staff", "director"])
def test_the_detail_page_costs_the_same_queries_for_3_and_30_students(
    client, world, subjects, club, persona, django_assert_num_queries
):
    client.force_login(world.persona(persona))
    url = url_for("detail", subjects)
    small = queries_for(client, url)

    more = enrol(club, 27)
    for student in more[:10]:
        grant(world, subjects.authorized, student)

    with django_assert_num_queries(small):
        page = text(fetch(client, url))
    assert "Not ready: 19 of 30 students are missing" in page
    assert page.count(": may not take part") == 19


def populate(world, club, instagram, count: int) -> None:
    """`count` authorizations in each state a list shows: waiting, in force, declined."""
    for _ in range(count):
        ask(world, instagram, club)
        authorize(world, ask(world, instagram, club))
        authorization_services.authorization_decline(
            acting_user=world.superintendent,
            authorization=reload(ask(world, instagram, club)),
            decided_as="superintendent",
            reason="Not this term.",
        )


@pytest.mark.parametrize("persona", ["superintendent", "clerk", "staff"])
def test_the_list_costs_the_same_queries_for_3_and_30_authorizations(
    client, world, today, club, instagram, persona, django_assert_num_queries
):
    enrol(club, 3)
    populate(world, club, instagram, 1)
    client.force_login(world.persona(persona))
    url = reverse("authorizations:list")
    small = queries_for(client, url)

    populate(world, club, instagram, 9)

    with django_assert_num_queries(small):
        response = fetch(client, url)
    assert sum(page.paginator.count for _, _, _, page, _ in response.context["sections"]) == 30


def test_it_names_who_decides_under_the_districts_policy(client, world, subjects):
    world.district.instructional_use_approver = Approver.SCHOOL_BOARD
    world.district.save()
    client.force_login(world.clerk)

    assert "Waiting for the School Board, oldest first." in text(client.get(reverse("authorizations:list")))
    assert "The School Board decides." in text(client.get(reverse("authorizations:new")))
