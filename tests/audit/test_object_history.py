"""Each audited object's page shows its history: who, when, and each field from → to in words,
newest first, a page at a time, for a fixed number of queries."""

from __future__ import annotations

import datetime
import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from authorizations import services as authorization_services
from consent import services as consent_services
from disclosures import services as disclosure_services
from registry import services as registry_services
from tests.audit.conftest import TODAY, add_network, new_tool, open_cycle, request_account, sign, social_scope
from tests.factories import ProgramFactory, StudentFactory
from tools import services as tool_services
from tools.models import ToolRequest


def text(response) -> str:
    """What the page says, without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def history_text(response) -> str:
    """What the page's history section says."""
    page = response.content.decode()
    section = page[page.index('id="history"') : page.index("</section>", page.index('id="history"'))]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())


def rename(account, user, n: int):
    return registry_services.account_update(
        acting_user=user,
        account=account,
        platform=account.platform,
        address=account.platform.profile(handle=account.handle),
        details={"display_name": f"North High Band {n}"},
    )


# --- Official accounts ---------------------------------------------------------------------------


def test_the_account_page_shows_each_change_from_and_to_with_who_and_when(client, world, clock):
    account = request_account(world)
    clock.shift(datetime.timedelta(hours=1))
    rename(account, world.staff, 2)
    client.force_login(world.director)

    page = history_text(client.get(reverse("registry:account_detail", args=[account.pk])))

    assert "Details changed" in page
    assert "Display name: North High Band → North High Band 2" in page
    assert f"Nov. 21, 2026, 10:00 a.m. · {world.staff.full_name}" in page  # local time (Chicago)
    assert page.index("Details changed") < page.index("Requested")  # newest first


def test_the_account_history_pages_twenty_at_a_time(client, world, clock):
    account = request_account(world)
    for n in range(25):
        clock.shift(datetime.timedelta(minutes=1))
        rename(account, world.staff, n)
    client.force_login(world.director)
    url = reverse("registry:account_detail", args=[account.pk])

    first = client.get(url)
    second = client.get(url + "?history=2")

    assert len(first.context["history"].entries) == 20
    assert "?history=2#history" in first.text and "Older changes" in first.text
    assert [e.summary for e in second.context["history"].entries][-2:] == [
        f"{world.staff.full_name} designated primary administrator",
        "Requested",
    ]
    assert "?history=1#history" in second.text
    for nonsense in ("nonsense", "0", "-1", "²", "9" * 40):
        assert client.get(url + f"?history={nonsense}").context["history"].number == 1


def test_the_account_page_costs_the_same_queries_with_a_short_or_a_long_history(
    client, world, clock, django_assert_num_queries
):
    account = request_account(world)
    client.force_login(world.director)
    url = reverse("registry:account_detail", args=[account.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    short_queries = len(short.captured_queries)  # now: the connection keeps only its last 9,000

    for n in range(30):
        clock.shift(datetime.timedelta(minutes=1))
        rename(account, world.staff, n)
        registry_services.administrator_add(acting_user=world.director, account=account, user=world.principal)
        administrator = account.administrators.get(user=world.principal, ends_on__isnull=True)
        registry_services.administrator_end(acting_user=world.director, administrator=administrator)

    client.get(url)  # half an hour later: the session is read again from the database once
    with django_assert_num_queries(short_queries):
        response = client.get(url)
    assert len(response.context["history"].entries) == 20


# --- Tools, requests and authorizations -----------------------------------------------------------


def test_the_tool_page_shows_the_decision_and_who_took_it(client, world, clock):
    tool = new_tool(world)
    clock.shift(datetime.timedelta(minutes=1))
    tool_services.tool_decide(
        acting_user=world.superintendent, tool=tool, status="approved", decided_as="superintendent"
    )
    client.force_login(world.staff)

    page = history_text(client.get(reverse("tools:tool_detail", args=[tool.pk])))

    assert "Status: Under review → Approved" in page
    assert f"· {world.superintendent.full_name}" in page


def test_the_tool_request_page_shows_its_history(client, world, clock):
    tool_request = tool_services.tool_request_submit(
        acting_user=world.staff,
        tool_request=ToolRequest(tool_name="Book Creator", purpose="E-books.", students="Grade 4."),
    )
    clock.shift(datetime.timedelta(minutes=1))
    tool_services.tool_request_decline(
        acting_user=world.superintendent, tool_request=tool_request, decided_as="superintendent", reason="No DPA."
    )
    client.force_login(world.staff)

    page = history_text(client.get(reverse("tools:request_detail", args=[tool_request.pk])))

    assert "Status: Waiting for a decision → Not approved" in page
    assert "Reason: — → No DPA." in page
    assert page.index("Not approved") < page.index("Requested")


def test_the_authorization_page_shows_who_authorized_it(client, world, clock):
    tool = tool_services.tool_decide(
        acting_user=world.superintendent, tool=new_tool(world), status="approved", decided_as="superintendent"
    )
    authorization = authorization_services.authorization_request(
        acting_user=world.staff,
        tool=tool,
        program=ProgramFactory(school=world.school, name="Robotics"),
        purpose="Build updates.",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=30),
    )
    clock.shift(datetime.timedelta(minutes=1))
    authorization_services.authorization_grant(
        acting_user=world.superintendent,
        authorization=authorization,
        decided_as="superintendent",
        reason="Faces stay out.",
    )
    client.force_login(world.staff)

    page = history_text(client.get(reverse("authorizations:detail", args=[authorization.pk])))

    assert "Authorized, as the Superintendent" in page
    assert "Status: Waiting for authorization → Authorized" in page
    assert "Reason: — → Faces stay out." in page


# --- Disclosures ------------------------------------------------------------------------------------


def test_the_disclosure_page_shows_its_history_to_the_employee_and_the_reviewer_only(client, world, clock):
    cycle = open_cycle(world)
    draft = disclosure_services.disclosure_start(acting_user=world.staff, cycle=cycle)
    add_network(world.staff, draft)
    clock.shift(datetime.timedelta(minutes=1))
    sign(world.staff, draft)
    url = reverse("disclosures:detail", args=[draft.pk])

    for persona in ("staff", "director"):
        client.force_login(world.persona(persona))
        page = history_text(client.get(url))
        assert "Version 1: Submitted" in page and "Version 1: “Band parents” network added" in page
        assert "State: Draft → Submitted" in page
    client.force_login(world.clerk)
    assert client.get(url).status_code == 404


# --- Staff, district, consent ------------------------------------------------------------------------


def test_the_staff_page_shows_changes_to_the_profile_and_the_roles(client, world, clock):
    account_services.staff_employment_update(
        acting_user=world.director, user=world.staff, started_on=datetime.date(2020, 8, 17), supervisor=world.principal
    )
    clock.shift(datetime.timedelta(minutes=1))
    role = account_services.membership_grant(
        acting_user=world.director, user=world.staff, role="clerk", school=world.school
    )
    clock.shift(datetime.timedelta(minutes=1))
    account_services.membership_end(acting_user=world.director, membership=role)

    for persona in ("director", "staff"):
        client.force_login(world.persona(persona))
        page = history_text(client.get(reverse("staff_detail", args=[world.staff.pk])))
        assert "Changes to this person's profile and roles" in page
        assert f"Supervisor: — → {world.principal.full_name}" in page
        assert "Started in the district on: — → Aug. 17, 2020" in page
        assert f"Role ended · Role: Office clerk: {world.staff.full_name}" in page
        assert page.index("Role ended") < page.index("Role given") < page.index("Employment details changed")


def test_the_district_page_shows_policy_changes_to_those_who_may_edit_it(client, world, clock):
    client.force_login(world.superintendent)
    url = reverse("district_edit", args=[world.district.slug])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    client.post(url, {**data, "reminder_days_before_due": 21})

    page = history_text(client.get(reverse("district_detail", args=[world.district.slug])))
    client.force_login(world.principal)
    hidden = text(client.get(reverse("district_detail", args=[world.district.slug])))

    assert "First reminder (days before a due date): 14 → 21" in page
    assert world.superintendent.full_name in page
    assert "Changes to the policy profile" not in hidden


def test_the_consent_scope_page_shows_who_changed_its_rule(client, world, clock):
    scope = social_scope(world)
    clock.shift(datetime.timedelta(minutes=1))
    scope.renewed_each_school_year = not scope.renewed_each_school_year
    scope.follows_policy = False  # a rule of its own, deliberately
    scope.differs_because = "Board resolution"
    consent_services.consent_scope_save(acting_user=world.superintendent, scope=scope)
    before, after = ("yes", "no") if not scope.renewed_each_school_year else ("no", "yes")
    client.force_login(world.director)

    page = history_text(client.get(reverse("consent:scope_edit", args=[world.district.slug, scope.pk])))

    assert f"Renewed each school year: {before} → {after}" in page
    assert world.superintendent.full_name in page


def test_the_students_consent_page_shows_who_recorded_each_answer_when_and_from_which_file(client, world, clock):
    scope = social_scope(world)
    pupil = StudentFactory(school=world.school, sis_id="N1")
    consent_services.consent_record(
        acting_user=world.clerk, student=pupil, scope=scope, decision="granted", received_on=TODAY
    )
    clock.shift(datetime.timedelta(hours=1))
    checked = consent_services.consent_import_check(
        acting_user=world.director,
        district=world.district,
        file_name="spring-forms.csv",
        data=b"sis_id,scope,decision,date\r\nN1,social_media,withdrawn,2026-11-21\r\n",
    )
    consent_services.consent_import_apply(acting_user=world.director, consent_import=checked)
    client.force_login(world.principal)

    page = text(client.get(reverse("consent:student", args=[pupil.pk])))

    assert f"{world.director.full_name} Nov. 21, 2026 10:00 · imported from spring-forms.csv" in page
    assert f"{world.clerk.full_name} Nov. 21, 2026 09:00" in page
