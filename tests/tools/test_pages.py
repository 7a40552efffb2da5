"""The approved-tool pages through HTTP: who may open and do what (one table), decisions in the
capacity the policy gives, the public list, search and CSV, tool requests, designees, logo
permission, odd input, and constant queries at any size."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, reverse
from django.utils.html import escape

from registry.models import AccountLogoPermission, SocialAccount
from tests.factories import SocialAccountFactory, ToolFactory, ToolRequestFactory, staff_at
from tests.pages import fetch, queries_for
from tools import services as tool_services
from tools import urls as tool_urls
from tools.models import Designee, Spokesperson, TechnologyNotice, Tool, ToolLogoPermission, ToolRequest

LOGIN = "/account/login/"
HUGE = "99999999999999999999"
PERSONAS = (
    "anonymous",
    "director",
    "superintendent",
    "communications",
    "principal",
    "clerk",
    "staff",
    "other_principal",
    "foreign_director",
)


def login_as(client, world, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.persona(persona))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def grant(by, subject, *, decided_as: str = "superintendent") -> ToolLogoPermission | AccountLogoPermission:
    return tool_services.logo_permission_grant(
        acting_user=by,
        subject=subject,
        decided_as=decided_as,
        granted_by_name="Dr. Ada Lovelace, Superintendent",
        granted_on=datetime.date(2026, 11, 2),
        written_as="letter",
    )


@dataclass
class Subjects:
    tool: Tool
    tool_request: ToolRequest
    designee: Designee
    account: SocialAccount
    spokesperson: Spokesperson


@pytest.fixture
def subjects(world, today, colleague) -> Subjects:
    """North publishes its list; one approved tool with a logo permission, one waiting request by the
    teacher for North High, a designee (not one of the personas) and an account with a logo permission."""
    world.district.tool_list_visibility = "public"
    world.district.save()
    tool = ToolFactory(district=world.district, name="Seesaw", conditions="")
    grant(world.superintendent, tool)
    account = SocialAccountFactory(school=world.school, display_name="North High")
    grant(world.superintendent, account)
    for director, district in ((world.director, world.district), (world.foreign_director, world.other_district)):
        tool_services.technology_notice_publish(acting_user=director, district=district, school_year=2026)
    return Subjects(
        tool=tool,
        tool_request=ToolRequestFactory(
            requested_by=world.staff, school=world.school, tool_name="Flip", lowest_grade=7, highest_grade=8
        ),
        designee=tool_services.designee_add(
            acting_user=world.superintendent, district=world.district, user=colleague, power="instructional_use"
        ),
        account=account,
        spokesperson=tool_services.spokesperson_grant(
            acting_user=world.superintendent,
            district=world.district,
            person=world.communications,
            subject="District news",
            decided_as="superintendent",
            granted_by_name="Dr. Ada Lovelace, Superintendent",
            granted_on=datetime.date(2026, 11, 1),
        ),
    )


# --- Who may open and do what ------------------------------------------------------------------------


def row(*statuses: int) -> dict[str, int]:
    assert len(statuses) == len(PERSONAS)
    return dict(zip(PERSONAS, statuses, strict=True))


# Which role may open which page (GET) is the permission matrix's (tests/security/test_permission_matrix.py).
# Here each action is posted with valid input: those allowed change what they asked, the others nothing.
#                    anon  dir  sup  comm prin clerk staff prin2 south
# The default policy: tools and logo use by "the Superintendent or designee"; nobody is designated for them.
SUPERINTENDENT_ONLY = row(302, 403, 302, 403, 403, 403, 403, 403, 404)
DECIDE_REQUEST = row(302, 403, 302, 404, 403, 404, 403, 404, 404)
ACCOUNT_LOGO = row(302, 403, 302, 403, 403, 404, 404, 404, 404)
POST_STATUS = {
    "tools:tool_new": row(302, 302, 302, 403, 403, 403, 403, 403, 302),
    "tools:tool_edit": row(302, 302, 302, 403, 403, 403, 403, 403, 404),
    "tools:tool_decide": SUPERINTENDENT_ONLY,
    "tools:tool_set_aside": row(302, 302, 302, 403, 403, 403, 403, 403, 404),
    "tools:tool_logo": SUPERINTENDENT_ONLY,
    "tools:tool_logo_withdraw": SUPERINTENDENT_ONLY,
    "tools:request_new": row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    "tools:request_approve": DECIDE_REQUEST,
    "tools:request_decline": DECIDE_REQUEST,
    "tools:request_withdraw": row(302, 403, 403, 404, 403, 404, 302, 404, 404),
    "tools:designee_add": row(302, 403, 302, 403, 403, 403, 403, 403, 403),
    "tools:designee_end": row(302, 404, 302, 404, 404, 404, 404, 404, 404),
    # Speaking for the district: the Superintendent (or a designee for it; nobody is designated here).
    "tools:spokesperson_grant": row(302, 403, 302, 403, 403, 403, 403, 403, 403),
    "tools:spokesperson_withdraw": row(302, 403, 302, 403, 403, 403, 403, 403, 403),
    # The families' technology notice: each director publishes and sends their own district's.
    "tools:technology_notice_publish": row(302, 302, 403, 403, 403, 403, 403, 403, 302),
    "tools:technology_notice_send": row(302, 302, 403, 403, 403, 403, 403, 403, 302),
    "registry:account_logo": ACCOUNT_LOGO,
    "registry:account_logo_withdraw": ACCOUNT_LOGO,
}

LOGO_GRANT = {
    "decided_as": "superintendent",
    "granted_by_name": "Dr. Ada Lovelace, Superintendent",
    "granted_on": "2026-11-20",
    "written_as": "letter",
}


def url_for(name: str, s: Subjects, world) -> str:
    args = {
        "tools:public_tool_list": [world.district.slug],
        "tools:request_detail": [s.tool_request.pk],
        "tools:request_approve": [s.tool_request.pk],
        "tools:request_decline": [s.tool_request.pk],
        "tools:request_withdraw": [s.tool_request.pk],
        "tools:designee_end": [s.designee.pk],
        "registry:account_logo": [s.account.pk],
        "registry:account_logo_withdraw": [s.account.pk],
    }
    if name in args:
        return reverse(name, args=args[name])
    if name in ("tools:tool_list", "tools:tool_export", "tools:tool_new", "tools:request_list", "tools:request_new"):
        return reverse(name)
    if name in ("tools:designee_list", "tools:designee_add", "tools:spokesperson_grant", "tools:spokesperson_withdraw"):
        return reverse(name)
    if name in ("tools:technology_notice_publish", "tools:technology_notice_send"):
        return reverse(name)
    return reverse(name, args=[s.tool.pk])


def post_data(name: str, s: Subjects, world) -> dict:
    return {
        "tools:tool_new": {"name": "Padlet", "category": "creation"},
        "tools:tool_edit": {"name": "Seesaw Class", "category": "classroom", "lowest_grade": "0"},
        "tools:tool_decide": {
            "status": "approved_with_conditions",
            "decided_as": "superintendent",
            "conditions": "Class accounts only.",
        },
        "tools:tool_set_aside": {"status": "under_review", "reason": "The privacy agreement lapsed."},
        "tools:tool_logo": LOGO_GRANT,
        "tools:tool_logo_withdraw": {"reason": "The logo changed."},
        "tools:request_new": {
            "tool_name": "Padlet",
            "purpose": "Book talks.",
            "students": "Two 7th-grade English classes, 50 students.",
            "lowest_grade": "7",
            "highest_grade": "7",
        },
        "tools:request_approve": {"decided_as": "superintendent", "conditions": ""},
        "tools:request_decline": {"decided_as": "superintendent", "decision_reason": "Its terms allow ads."},
        "tools:designee_add": {"email": world.principal.email, "power": "tools"},
        "tools:spokesperson_grant": {
            "email": world.principal.email,
            "subject": "North High news",
            "decided_as": "superintendent",
            "granted_by_name": "Dr. Ada Lovelace, Superintendent",
            "granted_on": "2026-11-20",
        },
        "tools:spokesperson_withdraw": {"spokesperson": s.spokesperson.pk, "reason": "Left the role."},
        "tools:technology_notice_publish": {"school_year": "2026"},
        "tools:technology_notice_send": {"school_year": "2026"},
        "registry:account_logo": LOGO_GRANT,
        "registry:account_logo_withdraw": {"reason": "The logo changed."},
    }.get(name, {})


def snapshot() -> tuple:
    return (
        tuple(Tool.objects.order_by("pk").values_list("pk", "name", "status", "conditions", "lowest_grade")),
        tuple(ToolRequest.objects.order_by("pk").values_list("pk", "tool_name", "status")),
        tuple(Designee.objects.order_by("pk").values_list("pk", "user_id", "power", "ends_on")),
        tuple(ToolLogoPermission.objects.order_by("pk").values_list("pk", "withdrawn_on")),
        tuple(AccountLogoPermission.objects.order_by("pk").values_list("pk", "withdrawn_on")),
        tuple(Spokesperson.objects.order_by("pk").values_list("pk", "withdrawn_on")),
        TechnologyNotice.history.count(),  # each publication and each sending to families is a history entry
    )


def tool_url_names() -> set[str]:
    return {f"tools:{p.name}" for p in tool_urls.urlpatterns if isinstance(p, URLPattern)}


def test_it_posts_to_every_tools_action():
    pages = ("_list", "_detail", "_export", "technology_notice")  # technology_notice: the notice's two pages
    actions = {name for name in tool_url_names() if not name.endswith(pages)}

    assert {name for name in POST_STATUS if name.startswith("tools:")} == actions


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POST_STATUS))
def test_it_answers_each_persona_with_the_expected_status_on_post(client, world, subjects, name, persona):
    login_as(client, world, persona)
    before = snapshot()

    response = client.post(url_for(name, subjects, world), post_data(name, subjects, world))

    expected = POST_STATUS[name][persona]
    assert response.status_code == expected, getattr(response, "context", None) and [
        form.errors for key in ("form", "decision_form") if (form := response.context.get(key)) is not None
    ]
    if persona == "anonymous":
        assert response["Location"].startswith(LOGIN)
    changed = persona != "anonymous" and expected == 302
    assert (snapshot() != before) == changed


# --- Decisions in the capacity the policy gives --------------------------------------------------------


def decide(client, tool, **data):
    return client.post(reverse("tools:tool_decide", args=[tool.pk]), {"status": "approved", **data})


def test_it_refuses_the_directors_decision_until_the_superintendent_designates_them(client, world, today):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    client.force_login(world.director)
    assert decide(client, tool, decided_as="designee").status_code == 403
    assert decide(client, tool, decided_as="superintendent").status_code == 403

    client.force_login(world.superintendent)
    named = client.post(reverse("tools:designee_add"), {"email": world.director.email, "power": "tools"})
    assert named.status_code == 302
    assert "may now decide for you: approve tools for instruction" in messages_of(named)[0]

    client.force_login(world.director)
    page = client.get(reverse("tools:tool_detail", args=[tool.pk]))
    assert page.context["decision_form"].fields["decided_as"].choices == [("designee", "The Superintendent's designee")]
    response = decide(client, tool, decided_as="designee")

    assert response.status_code == 302
    tool.refresh_from_db()
    assert (tool.status, tool.decided_as, tool.decided_by, tool.decided_on) == (
        "approved",
        "designee",
        world.director,
        today,
    )
    assert tool.next_review_on == datetime.date(2027, 11, 21)


def test_it_refuses_the_designee_again_once_the_designation_ends(client, world, today):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    designee = tool_services.designee_add(
        acting_user=world.superintendent, district=world.district, user=world.director, power="tools"
    )
    client.force_login(world.superintendent)
    assert client.post(reverse("tools:designee_end", args=[designee.pk])).status_code == 302

    client.force_login(world.director)

    assert decide(client, tool, decided_as="designee").status_code == 403


@pytest.mark.parametrize("persona", ["superintendent", "director"])
def test_it_lets_leadership_record_only_the_school_boards_decision_with_its_minutes(client, world, today, persona):
    world.district.tool_approver = "school_board"
    world.district.save()
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    client.force_login(world.persona(persona))
    page = client.get(reverse("tools:tool_detail", args=[tool.pk]))
    assert page.context["decision_form"].fields["decided_as"].choices == [("school_board", "The School Board")]

    as_superintendent = decide(client, tool, decided_as="superintendent")
    without_minutes = decide(client, tool, decided_as="school_board", decision_reference="  ")

    assert as_superintendent.status_code == 200
    assert as_superintendent.context["decision_form"].errors["decided_as"]
    assert without_minutes.status_code == 200
    assert without_minutes.context["decision_form"].errors["decision_reference"]
    tool.refresh_from_db()
    assert tool.status == "under_review"

    response = decide(client, tool, decided_as="school_board", decision_reference="Board minutes, Nov 9, 2026, item 7")

    assert response.status_code == 302
    tool.refresh_from_db()
    assert (tool.status, tool.decided_as, tool.decision_reference) == (
        "approved",
        "school_board",
        "Board minutes, Nov 9, 2026, item 7",
    )
    assert "Board minutes, Nov 9, 2026, item 7" in client.get(reverse("tools:tool_detail", args=[tool.pk])).text


def test_it_asks_for_the_conditions_of_an_approval_with_conditions(client, world, today):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    client.force_login(world.superintendent)

    response = decide(client, tool, status="approved_with_conditions", decided_as="superintendent", conditions="")

    assert response.status_code == 200
    assert response.context["decision_form"].errors["conditions"]
    tool.refresh_from_db()
    assert tool.status == "under_review"


def test_it_records_a_review_of_an_approved_tool_and_moves_its_review_date(client, world, today):
    tool = ToolFactory(district=world.district, next_review_on=datetime.date(2026, 11, 1))
    client.force_login(world.superintendent)
    page = client.get(reverse("tools:tool_detail", args=[tool.pk]))
    assert "The review was due on Nov. 1, 2026." in page.text
    assert "Review this tool" in page.text

    response = decide(client, tool, decided_as="superintendent")

    assert "Review recorded: approved. The next review is due November 21, 2027." in messages_of(response)
    page = client.get(reverse("tools:tool_detail", args=[tool.pk]))
    assert "Reviewed: still approved" in page.text


def test_it_lets_a_keeper_retire_a_tool_with_a_reason_that_staff_then_read(client, world, today):
    tool = ToolFactory(district=world.district)
    client.force_login(world.director)

    no_reason = client.post(reverse("tools:tool_set_aside", args=[tool.pk]), {"status": "retired", "reason": ""})
    assert no_reason.status_code == 200
    assert no_reason.context["set_aside_form"].errors["reason"]
    response = client.post(
        reverse("tools:tool_set_aside", args=[tool.pk]), {"status": "retired", "reason": "Replaced by Canvas."}
    )

    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.status == "retired"
    client.force_login(world.staff)
    page = client.get(reverse("tools:tool_detail", args=[tool.pk])).text
    assert "Staff must stop using it" in page and "Retired: Replaced by Canvas." in page


# --- What the tool's page tells a teacher --------------------------------------------------------------


def test_it_warns_about_young_students_an_age_limit_and_an_ending_privacy_agreement(client, world, today):
    tool = ToolFactory(
        district=world.district,
        lowest_grade=3,
        highest_grade=8,
        minimum_age=13,
        is_public_social_media=True,
        parental_consent_required=True,
        privacy_agreement_on_file=True,
        privacy_agreement_expires_on=datetime.date(2026, 12, 10),
    )
    client.force_login(world.staff)

    page = client.get(reverse("tools:tool_detail", args=[tool.pk])).text

    assert "Students under 13" in page
    assert "The tool&#x27;s terms require users to be 13, but students in grade 3 can be 8." in page
    assert "The student-data privacy agreement ends on Dec. 10, 2026." in page
    assert "Parents' consent needed." in page
    assert 'action="/tools/' not in page  # a teacher sees no decision, retire or logo form


def test_it_says_when_an_approved_tools_privacy_agreement_has_ended(client, world, today):
    tool = ToolFactory(
        district=world.district, privacy_agreement_on_file=True, privacy_agreement_expires_on=datetime.date(2026, 6, 30)
    )
    client.force_login(world.director)

    page = client.get(reverse("tools:tool_detail", args=[tool.pk])).text
    listing = client.get(reverse("tools:tool_list")).text

    assert "The student-data privacy agreement ended on June 30, 2026." in page
    assert "Ended Jun 30, 2026" in listing


def test_it_shows_who_decided_as_what_and_when(client, world, today):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    tool_services.tool_decide(
        acting_user=world.superintendent,
        tool=tool,
        status="approved_with_conditions",
        decided_as="superintendent",
        conditions="Teacher-created class accounts only.",
        reference="Memo of Nov 20",
    )
    client.force_login(world.staff)

    page = client.get(reverse("tools:tool_detail", args=[tool.pk])).text

    assert f"The Superintendent ({escape(world.superintendent.full_name)}), Nov. 21, 2026" in page
    assert "Memo of Nov 20" in page
    assert "Teacher-created class accounts only." in page
    assert "Next review" in page and "Nov. 21, 2027" in page


# --- The list, its search and its CSV ------------------------------------------------------------------


@pytest.fixture
def catalogue(world, today):
    return {
        "seesaw": ToolFactory(district=world.district, name="Seesaw", vendor="Seesaw Learning"),
        "padlet": ToolFactory(
            district=world.district,
            name="Padlet",
            vendor="Wallwisher",
            status="approved_with_conditions",
            conditions="No student surnames.",
            category="creation",
        ),
        "tiktok": ToolFactory(
            district=world.district,
            name="TikTok",
            status="not_approved",
            category="social_media",
            description="Short videos for the drama club.",
        ),
        "flip": ToolFactory(district=world.district, name="Flip", status="retired", category="video"),
        "review": ToolFactory(
            district=world.district, name="Kahoot", status="under_review", decided_on=None, category="assessment"
        ),
        "foreign": ToolFactory(district=world.other_district, name="Seesaw South"),
    }


def names_on(response) -> list[str]:
    return [tool.name for tool in response.context["page"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"q": "see"}, ["Seesaw"]),
        ({"q": "wallwisher"}, ["Padlet"]),
        ({"q": "drama"}, ["TikTok"]),
        ({"status": "retired"}, ["Flip"]),
        ({"status": "all"}, ["Flip", "Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"status": "approved_with_conditions"}, ["Padlet"]),
        ({"category": "social_media"}, ["TikTok"]),
        ({"q": "a", "category": "creation"}, ["Padlet"]),
        ({"status": "nonsense"}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"q": "a\x00b"}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"q": "x" * 500}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"page": HUGE}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
        ({"page": "-1"}, ["Kahoot", "Padlet", "Seesaw", "TikTok"]),
    ],
)
def test_it_searches_and_filters_the_list_without_retired_tools_by_default(client, world, catalogue, params, expected):
    client.force_login(world.staff)

    response = client.get(reverse("tools:tool_list"), params)

    assert response.status_code == 200
    assert names_on(response) == expected


def test_it_shows_status_grades_consent_and_agreement_in_the_list(client, world, catalogue):
    client.force_login(world.staff)

    page = client.get(reverse("tools:tool_list")).text

    assert "Approved with conditions" in page and "Not approved" in page and "Under review" in page
    assert "Grades 6–12" in page and "Seesaw Learning" in page and "None on file" in page


def test_it_counts_what_needs_the_keepers_attention(client, world, today):
    ToolFactory(district=world.district, next_review_on=datetime.date(2026, 11, 1))
    ToolFactory(
        district=world.district, privacy_agreement_on_file=True, privacy_agreement_expires_on=datetime.date(2026, 12, 1)
    )
    ToolRequestFactory(requested_by=world.staff)
    client.force_login(world.director)

    response = client.get(reverse("tools:tool_list"))
    overdue = client.get(reverse("tools:tool_list"), {"attention": "review_overdue"})

    assert response.context["counts"] == {
        "review_overdue": 1,
        "review_due": 1,
        "agreement_expired": 0,
        "agreement_expiring": 1,
        "requests_waiting": 1,
    }
    assert len(overdue.context["page"]) == 1
    client.force_login(world.staff)
    assert client.get(reverse("tools:tool_list")).context["counts"] is None


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_exports_the_filtered_list_with_formulas_neutralised(client, world, today):
    ToolFactory(district=world.district, name='=HYPERLINK("http://evil.example","x")', vendor="+1 Tools")
    ToolFactory(district=world.district, name="Seesaw", conditions="")
    ToolFactory(district=world.district, name="Gone", status="retired")
    client.force_login(world.staff)

    rows = csv_rows(client.get(reverse("tools:tool_export")))
    searched = csv_rows(client.get(reverse("tools:tool_export"), {"q": "seesaw"}))

    assert rows[0][:5] == ["Tool", "Company", "Website", "Kind", "Status"]
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil.example","x")', "Seesaw"]
    assert rows[1][1] == "'+1 Tools"
    assert [r[0] for r in searched[1:]] == ["Seesaw"]


# --- The public list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["staff", "public"])
def test_it_publishes_the_list_only_where_the_policy_says_so(client, world, catalogue, visibility):
    world.district.tool_list_visibility = visibility
    world.district.save()

    response = client.get(reverse("tools:public_tool_list", args=[world.district.slug]))

    assert response.status_code == (200 if visibility == "public" else 404)


def test_it_answers_an_unknown_district_with_not_found(client, world):
    assert client.get(reverse("tools:public_tool_list", args=["nowhere"])).status_code == 404


def test_it_shows_families_only_approved_tools_and_no_internal_details(client, world, catalogue):
    world.district.tool_list_visibility = "public"
    world.district.save()
    catalogue["seesaw"].decision_reference = "Board minutes, secret item"
    catalogue["seesaw"].privacy_agreement_on_file = True
    catalogue["seesaw"].privacy_agreement_expires_on = datetime.date(2027, 6, 30)
    catalogue["seesaw"].save()

    response = client.get(reverse("tools:public_tool_list", args=[world.district.slug]))

    page = response.text
    assert [tool.name for tool in response.context["page"]] == ["Padlet", "Seesaw"]
    assert "No student surnames." in page and "Grades 6–12" in page
    for hidden in ("TikTok", "Flip", "Kahoot", "Seesaw South", "Board minutes", "Wallwisher", "Jun", "drama"):
        assert hidden not in page


def test_it_searches_the_public_list_and_survives_odd_input(client, world, catalogue):
    world.district.tool_list_visibility = "public"
    world.district.save()
    url = reverse("tools:public_tool_list", args=[world.district.slug])

    assert [t.name for t in client.get(url, {"q": "pad"}).context["page"]] == ["Padlet"]
    assert len(client.get(url, {"q": "a\x00b"}).context["page"]) == 2
    assert client.get(url, {"page": HUGE}).status_code == 200


# --- Tool requests -----------------------------------------------------------------------------------------


REQUEST = {
    "tool_name": "Padlet",
    "website": "padlet.com",
    "purpose": "Students post book reviews for each other.",
    "students": "My two 7th-grade English classes, 50 students.",
    "lowest_grade": "7",
    "highest_grade": "7",
}


def test_it_takes_a_request_to_the_approver_who_approves_it_with_conditions(client, world, today):
    client.force_login(world.staff)
    form = client.get(reverse("tools:request_new")).context["form"]
    assert [school.name for school in form.fields["school"].queryset] == ["North High"]

    sent = client.post(reverse("tools:request_new"), {**REQUEST, "school": world.school.pk})

    tool_request = ToolRequest.objects.get()
    assert sent["Location"] == reverse("tools:request_detail", args=[tool_request.pk])
    assert (tool_request.requested_by, tool_request.school, tool_request.website) == (
        world.staff,
        world.school,
        "https://padlet.com",
    )
    client.force_login(world.superintendent)
    queue = client.get(reverse("tools:request_list"))
    assert [r.tool_name for r in queue.context["page"]] == ["Padlet"]
    approved = client.post(
        reverse("tools:request_approve", args=[tool_request.pk]),
        {"decided_as": "superintendent", "conditions": "No student surnames.", "reason": "Enjoy it."},
    )

    assert approved.status_code == 302
    tool = Tool.objects.get(name="Padlet")
    assert (tool.status, tool.conditions, tool.lowest_grade) == ("approved_with_conditions", "No student surnames.", 7)
    client.force_login(world.staff)
    page = client.get(reverse("tools:request_detail", args=[tool_request.pk])).text
    assert "Approved with conditions" in page and "No student surnames." in page and "Enjoy it." in page
    assert not client.get(reverse("tools:request_list")).context["page"]


def test_it_asks_for_the_reason_when_a_request_is_not_approved(client, world, today):
    tool_request = ToolRequestFactory(requested_by=world.staff, tool_name="TikTok")
    client.force_login(world.superintendent)

    empty = client.post(
        reverse("tools:request_decline", args=[tool_request.pk]),
        {"decided_as": "superintendent", "decision_reason": ""},
    )
    assert empty.status_code == 200 and empty.context["decline_form"].errors["decision_reason"]
    declined = client.post(
        reverse("tools:request_decline", args=[tool_request.pk]),
        {"decided_as": "superintendent", "decision_reason": "Students under 13 cannot have accounts."},
    )

    assert declined.status_code == 302
    tool_request.refresh_from_db()
    assert tool_request.status == "declined"
    assert Tool.objects.get(name="TikTok").status == "not_approved"
    client.force_login(world.staff)
    assert "Students under 13 cannot have accounts." in client.get(tool_request.get_absolute_url()).text


def test_it_tells_the_teacher_a_tool_is_already_approved(client, world, today):
    ToolFactory(district=world.district, name="Padlet")
    client.force_login(world.staff)

    response = client.post(reverse("tools:request_new"), REQUEST)

    assert response.status_code == 200
    assert "Padlet is already approved: you may use it." in response.text
    assert not ToolRequest.objects.exists()


def test_it_lets_the_teacher_withdraw_a_waiting_request_once(client, world, today):
    tool_request = ToolRequestFactory(requested_by=world.staff)
    client.force_login(world.staff)
    url = reverse("tools:request_withdraw", args=[tool_request.pk])

    first = client.post(url)
    again = client.post(url)

    assert first.status_code == again.status_code == 302
    assert "This request was already withdrawn." in messages_of(again)
    tool_request.refresh_from_db()
    assert tool_request.status == "withdrawn"


def test_it_lists_the_queue_oldest_first_and_my_requests_for_everyone(client, world, today, colleague):
    late = ToolRequestFactory(requested_by=colleague, tool_name="Late")
    early = ToolRequestFactory(requested_by=colleague, tool_name="Early")
    early.requested_at = late.requested_at - datetime.timedelta(days=3)
    early.save()
    ToolRequestFactory(requested_by=world.staff, tool_name="Mine")

    client.force_login(world.superintendent)
    queue = client.get(reverse("tools:request_list")).context
    client.force_login(world.staff)
    teacher = client.get(reverse("tools:request_list")).context

    assert [r.tool_name for r in queue["page"]] == ["Early", "Late", "Mine"]
    assert [r.tool_name for r in teacher["page"]] == []
    assert [r.tool_name for r in teacher["mine"]] == ["Mine"]


def test_it_keeps_a_foreign_director_out_of_norths_requests(client, world, today):
    ToolRequestFactory(requested_by=world.staff)
    client.force_login(world.foreign_director)

    context = client.get(reverse("tools:request_list")).context

    assert not list(context["page"]) and not context["mine"] and not context["decided"]


# --- Designees ------------------------------------------------------------------------------------------------


def test_it_shows_the_director_the_designees_without_the_form(client, world, today, colleague):
    tool_services.designee_add(acting_user=world.superintendent, district=world.district, user=colleague, power="tools")
    client.force_login(world.director)

    response = client.get(reverse("tools:designee_list"))

    assert response.context["form"] is None
    assert escape(colleague.full_name) in response.text
    assert "Name a designee" not in response.text


def test_it_offers_only_the_powers_the_policy_opens_to_designees(client, world, today):
    world.district.tool_approver = "school_board"
    world.district.logo_use_approver = "superintendent"
    world.district.save()
    client.force_login(world.superintendent)

    form = client.get(reverse("tools:designee_list")).context["form"]
    refused = client.post(reverse("tools:designee_add"), {"email": world.director.email, "power": "tools"})

    assert [power for power, _ in form.fields["power"].choices] == ["instructional_use", "spokesperson"]
    assert refused.status_code == 200 and refused.context["form"].errors["power"]
    assert not Designee.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"email": "director@south.example.org", "power": "tools"},
        {"email": "nobody@north.example.org", "power": "tools"},
        {"email": "superintendent@north.example.org", "power": "tools"},
        {"email": "not an e-mail", "power": "tools"},
        {"email": "director@north.example.org\x00", "power": "tools"},
        {"email": "director@north.example.org", "power": "everything"},
        {"email": "director@north.example.org", "power": "tools", "note": "x" * 400},
    ],
)
def test_it_answers_a_bad_designation_on_the_form(client, world, data):
    client.force_login(world.superintendent)

    response = client.post(reverse("tools:designee_add"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Designee.objects.exists()


def test_it_refuses_the_same_designation_twice_on_the_form(client, world, today):
    client.force_login(world.superintendent)
    data = {"email": world.director.email, "power": "tools"}
    client.post(reverse("tools:designee_add"), data)

    response = client.post(reverse("tools:designee_add"), data)

    assert "already a designee" in response.text
    assert Designee.objects.count() == 1


# --- Logo permission ----------------------------------------------------------------------------------------


def test_it_records_and_withdraws_logo_permission_for_a_tool(client, world, today):
    tool = ToolFactory(district=world.district)
    client.force_login(world.superintendent)

    granted = client.post(reverse("tools:tool_logo", args=[tool.pk]), {**LOGO_GRANT, "conditions": "Unaltered logo."})
    page = client.get(tool.get_absolute_url()).text
    withdrawn = client.post(reverse("tools:tool_logo_withdraw", args=[tool.pk]), {"reason": "The logo changed."})

    assert granted.status_code == withdrawn.status_code == 302
    assert "Permitted by Dr. Ada Lovelace, Superintendent (The Superintendent) on November 20, 2026" in page
    assert "Unaltered logo." in page
    permission = ToolLogoPermission.objects.get(subject=tool)
    assert (permission.withdrawn_on, permission.withdrawal_reason) == (today, "The logo changed.")
    page = client.get(tool.get_absolute_url()).text
    assert "must not use the district logo" in page and "Logo permission withdrawn" in page


def test_it_asks_the_board_minutes_for_a_board_logo_permission(client, world, account_in_north, today):
    world.district.logo_use_approver = "school_board"
    world.district.save()
    client.force_login(world.director)
    url = reverse("registry:account_logo", args=[account_in_north.pk])
    page = client.get(account_in_north.get_absolute_url())
    assert page.context["logo"]["form"].fields["decided_as"].choices == [("school_board", "The School Board")]
    assert "given in writing by the School Board." in page.text

    without = client.post(url, {**LOGO_GRANT, "decided_as": "school_board", "written_as": "board_minutes"})
    assert without.status_code == 200
    assert without.context["logo"]["form"].errors["reference"]
    with_minutes = client.post(
        url, {**LOGO_GRANT, "decided_as": "school_board", "written_as": "board_minutes", "reference": "Minutes 11/9"}
    )

    assert with_minutes.status_code == 302
    assert AccountLogoPermission.objects.get(subject=account_in_north).decided_as == "school_board"


@pytest.fixture
def account_in_north(world, today):
    return SocialAccountFactory(school=world.school, display_name="North High")


@pytest.mark.parametrize("persona", ["director", "principal", "communications"])
def test_it_shows_the_logo_permission_read_only_to_those_who_cannot_grant_it(client, world, account_in_north, persona):
    grant(world.superintendent, account_in_north)
    client.force_login(world.persona(persona))

    response = client.get(account_in_north.get_absolute_url())

    assert response.context["logo"]["form"] is None
    assert "May use the district logo" in response.text
    assert reverse("registry:account_logo", args=[account_in_north.pk]) not in response.text


@pytest.mark.parametrize(
    "bad",
    [
        {"granted_on": "2026-12-25"},
        {"granted_on": "99999-01-01"},
        {"granted_on": "2026-02-30"},
        {"granted_by_name": "Ada\x00Lovelace"},
        {"granted_by_name": "x" * 300},
        {"granted_by_name": ""},
        {"written_as": "smoke signal"},
        {"decided_as": "school_board"},
        {"decided_as": "designee"},
        {"reference": "password: hunter2"},
        {"conditions": "y" * 600},
    ],
)
def test_it_answers_bad_logo_permission_input_on_the_form(client, world, account_in_north, bad):
    client.force_login(world.superintendent)

    response = client.post(reverse("registry:account_logo", args=[account_in_north.pk]), {**LOGO_GRANT, **bad})

    assert response.status_code == 200
    assert response.context["logo"]["form"].errors
    assert "hunter2" not in response.text
    assert not ToolLogoPermission.objects.exists() and not AccountLogoPermission.objects.exists()


# --- Hostile input on the tool and request forms --------------------------------------------------------------


TOOL = {"name": "Padlet", "category": "creation", "website": "https://padlet.com/", "lowest_grade": "3"}


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "Pad\x00let"},
        {"name": "x" * 5000},
        {"website": "javascript:alert(1)"},
        {"website": "https://padlet.com/\x00"},
        {"category": "weapons"},
        {"lowest_grade": HUGE},
        {"lowest_grade": "13"},
        {"lowest_grade": "9", "highest_grade": "3"},
        {"minimum_age": HUGE},
        {"minimum_age": "-1"},
        {"minimum_age": "40"},
        {"privacy_agreement_expires_on": "2026-02-30"},
        {"privacy_agreement_expires_on": "2027-06-30"},  # an end date without an agreement on file
        {"description": "The admin password: hunter2"},
    ],
)
def test_it_answers_bad_tool_details_on_the_form_and_saves_nothing(client, world, today, bad):
    client.force_login(world.director)

    response = client.post(reverse("tools:tool_new"), {**TOOL, **bad})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "hunter2" not in response.text
    assert not Tool.objects.exists()


def test_it_adds_a_tool_under_review_with_the_good_input_used_above(client, world, today):
    client.force_login(world.director)

    response = client.post(reverse("tools:tool_new"), TOOL)

    tool = Tool.objects.get()
    assert response["Location"] == tool.get_absolute_url()
    assert (tool.status, tool.added_by, tool.district) == ("under_review", world.director, world.district)


def test_it_refuses_a_second_tool_of_the_same_name_on_the_form(client, world, today):
    ToolFactory(district=world.district, name="padlet")
    client.force_login(world.director)

    response = client.post(reverse("tools:tool_new"), TOOL)

    assert response.status_code == 200
    assert "already on the list" in response.text
    assert Tool.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"tool_name": ""},
        {"tool_name": "Pad\x00let"},
        {"tool_name": "x" * 5000},
        {"purpose": ""},
        {"purpose": "p" * 3000},
        {"students": ""},
        {"website": "javascript:alert(1)"},
        {"school": HUGE},
        {"school": "abc"},
        {"school": "foreign"},
        {"school": "other_school"},  # a school where the teacher does not work
        {"lowest_grade": "8", "highest_grade": "7"},
        {"highest_grade": HUGE},
        {"purpose": "Log in with password: hunter2"},
    ],
)
def test_it_answers_a_bad_request_on_the_form_and_saves_nothing(client, world, today, bad):
    schools = {"foreign": world.foreign_school.pk, "other_school": world.other_school.pk}
    if bad.get("school") in schools:
        bad = {**bad, "school": schools[bad["school"]]}
    client.force_login(world.staff)

    response = client.post(reverse("tools:request_new"), {**REQUEST, **bad})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "hunter2" not in response.text
    assert not ToolRequest.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "retired"},
        {"status": ""},
        {"decided_as": "school_board"},
        {"decided_as": "\x00"},
        {"conditions": "c" * 3000},
        {"decision_reference": "r" * 400},
    ],
)
def test_it_answers_a_bad_decision_on_the_form(client, world, today, bad):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    client.force_login(world.superintendent)

    response = client.post(
        reverse("tools:tool_decide", args=[tool.pk]), {"status": "approved", "decided_as": "superintendent", **bad}
    )

    assert response.status_code == 200
    assert response.context["decision_form"].errors
    tool.refresh_from_db()
    assert tool.status == "under_review"


@pytest.mark.parametrize(
    "path",
    [
        f"/tools/{HUGE}/",
        f"/tools/{HUGE}/edit/",
        f"/tools/requests/{HUGE}/",
        "/tools/0/",
        "/tools/abc/",
        "/tools/requests/-1/",
    ],
)
def test_it_answers_unknown_ids_with_not_found_on_get(client, world, path):
    client.force_login(world.superintendent)

    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/tools/{HUGE}/decide/",
        f"/tools/{HUGE}/set-aside/",
        f"/tools/{HUGE}/logo/",
        f"/tools/{HUGE}/logo/withdraw/",
        f"/tools/requests/{HUGE}/approve/",
        f"/tools/requests/{HUGE}/decline/",
        f"/tools/requests/{HUGE}/withdraw/",
        f"/tools/designees/{HUGE}/end/",
        f"/registry/accounts/{HUGE}/logo/",
        f"/registry/accounts/{HUGE}/logo/withdraw/",
    ],
)
def test_it_answers_unknown_ids_with_not_found_on_post(client, world, path):
    client.force_login(world.superintendent)

    assert client.post(path, {"decided_as": "superintendent"}).status_code == 404


# --- Constant queries -----------------------------------------------------------------------------------------


def add_tools(district, count: int) -> None:
    start = Tool.objects.count()
    for n in range(count):
        ToolFactory(
            district=district,
            name=f"Bulk tool {start + n:04d}",
            status=("approved", "approved_with_conditions", "under_review", "not_approved")[n % 4],
            conditions="Class accounts only." if n % 4 == 1 else "",
            privacy_agreement_on_file=n % 2 == 0,
            privacy_agreement_expires_on=datetime.date(2026, 12, 1) if n % 4 == 0 else None,
        )


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("director", "tools:tool_list"),
        ("staff", "tools:tool_list"),
        ("director", "tools:tool_export"),
        ("anonymous", "tools:public_tool_list"),
    ],
)
def test_it_costs_the_same_queries_for_a_list_of_3_or_30_tools(
    client, world, today, persona, page, django_assert_num_queries
):
    world.district.tool_list_visibility = "public"
    world.district.save()
    login_as(client, world, persona)
    url = reverse(page, args=[world.district.slug]) if page == "tools:public_tool_list" else reverse(page)
    add_tools(world.district, 3)
    small = queries_for(client, url)

    add_tools(world.district, 27)

    with django_assert_num_queries(small):
        fetch(client, url)


def add_requests(world, count: int) -> None:
    for n in range(count):
        person = staff_at(world.school if n % 2 else world.other_school)
        tool_request = ToolRequestFactory(requested_by=person, school=person.memberships.get().school)
        if n % 3 == 1:
            tool_services.tool_request_decline(
                acting_user=world.superintendent,
                tool_request=tool_request,
                decided_as="superintendent",
                reason="Not now.",
            )
        elif n % 3 == 2:
            tool_services.tool_request_approve(
                acting_user=world.superintendent, tool_request=tool_request, decided_as="superintendent"
            )
    ToolRequestFactory(requested_by=world.staff, school=world.school)


@pytest.mark.parametrize("persona", ["superintendent", "principal", "staff"])
def test_it_costs_the_same_queries_for_the_request_list_with_3_or_30_requests(
    client, world, today, persona, django_assert_num_queries
):
    client.force_login(world.persona(persona))
    add_requests(world, 3)
    small = queries_for(client, reverse("tools:request_list"))

    add_requests(world, 27)

    with django_assert_num_queries(small):
        fetch(client, reverse("tools:request_list"))


def tool_of_size(world, size: int) -> Tool:
    """A tool decided and reviewed `size` times, asked for `size` times, its logo permission renewed `size` times."""
    tool = ToolFactory(district=world.district, name=f"Tool of size {size}", status="under_review", decided_on=None)
    for n in range(size):
        tool_services.tool_decide(
            acting_user=world.superintendent,
            tool=tool,
            status="approved_with_conditions" if n % 2 else "approved",
            decided_as="superintendent",
            conditions="No surnames." if n % 2 else "",
        )
        grant(world.superintendent, tool)
        ToolRequestFactory(requested_by=world.staff, school=world.school, tool=tool, tool_name=tool.name)
    return Tool.objects.get(pk=tool.pk)


@pytest.mark.parametrize("persona", ["superintendent", "director", "staff"])
def test_it_costs_the_same_queries_to_show_a_small_or_a_large_tool(
    client, world, today, persona, django_assert_num_queries
):
    small = tool_of_size(world, 1)
    large = tool_of_size(world, 12)
    client.force_login(world.persona(persona))
    expected = queries_for(client, reverse("tools:tool_detail", args=[small.pk]))

    with django_assert_num_queries(expected):
        fetch(client, reverse("tools:tool_detail", args=[large.pk]))


def test_it_costs_the_same_queries_for_the_designee_page_with_1_or_12_designees(
    client, world, today, django_assert_num_queries
):
    def designate(count: int) -> None:
        for n in range(count):
            person = staff_at(world.school)
            tool_services.designee_add(
                acting_user=world.superintendent,
                district=world.district,
                user=person,
                power=("tools", "instructional_use", "logo_use")[n % 3],
            )
            if n % 4 == 3:
                tool_services.designee_end(acting_user=world.superintendent, designee=person.designations.get())

    client.force_login(world.superintendent)
    designate(1)
    small = queries_for(client, reverse("tools:designee_list"))
    designate(11)

    with django_assert_num_queries(small):
        fetch(client, reverse("tools:designee_list"))


def test_it_offers_to_ask_for_a_tool_under_review_only_to_staff_who_have_not_asked(client, world, today, colleague):
    tool = ToolFactory(district=world.district, status="under_review", decided_on=None, decided_as="")
    ToolRequestFactory(requested_by=world.staff, tool=tool, tool_name=tool.name)
    ask = f"{reverse('tools:request_new')}?name="

    def offered(user) -> bool:
        client.force_login(user)
        return ask in client.get(tool.get_absolute_url()).text

    assert (offered(colleague), offered(world.staff), offered(world.superintendent)) == (True, False, False)


@pytest.mark.parametrize(("visibility", "linked"), [("public", True), ("staff", False)])
def test_it_links_the_public_list_from_the_policy_page_only_when_published(client, world, visibility, linked):
    world.district.tool_list_visibility = visibility
    world.district.save()
    client.force_login(world.director)
    page = client.get(reverse("district_detail", args=[world.district.slug])).content.decode()
    assert (reverse("tools:public_tool_list", args=[world.district.slug]) in page) is linked
