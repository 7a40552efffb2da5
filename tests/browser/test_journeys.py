"""Four journeys through a real browser, each as the people who make it: what they click, what they see
at every step, and what the database holds at the end."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consent import selectors
from consent.models import ConsentRecord, ConsentScope, ScopeKind
from consent.services import consent_scopes_set_up
from disclosures.models import Disclosure, DisclosureCycle, DisclosureState
from disclosures.services import disclosure_cycle_create
from registry.models import AccountStatus, SocialAccount
from tests.factories import AdministratorFactory, ConsentRecordFactory, SocialAccountFactory, StudentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_it_lets_a_staff_member_request_an_account_that_the_director_approves(world, visitors, screenshots):
    shots = screenshots("account-request")
    colleague = world.clerk

    # The teacher asks for the robotics page from "My accounts".
    teacher = visitors.sign_in(world.staff)
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="My accounts").click()
    expect(teacher.get_by_role("heading", name="My accounts")).to_be_visible()
    teacher.get_by_role("link", name="Request an account").click()
    expect(teacher.get_by_role("heading", name="Request an official account")).to_be_visible()
    teacher.get_by_label("Platform").select_option(label="Instagram")
    teacher.get_by_label("Profile address").fill("https://www.instagram.com/North.Robotics/")
    teacher.get_by_label("Display name").fill("North Robotics")
    teacher.get_by_label("Represents").select_option(label="A school")
    school = teacher.get_by_role("combobox", name="School")
    school.fill("north hi")  # the school is picked by name (issue 28)
    teacher.get_by_role("option", name=re.compile("North High")).click()
    expect(school).to_have_value("North High")
    teacher.get_by_label("Purpose").fill("Competition results and build updates.")
    teacher.get_by_label("Audience").select_option(label="Families")
    expect(teacher.get_by_label("Primary administrator")).to_have_value(world.staff.email)
    teacher.get_by_label("Backup administrator").fill(colleague.email)
    teacher.get_by_label("Login e-mail (district-controlled)").fill("robotics@north.example.org")
    teacher.get_by_label("How the district keeps recovery access").select_option(
        label="Recovery through the district-controlled e-mail"
    )
    shots.take(teacher, "request-form")
    teacher.get_by_role("button", name="Send request").click()

    expect(teacher.get_by_role("alert")).to_contain_text("Your request was sent to the technology director")
    expect(teacher.get_by_role("heading", name="North Robotics")).to_contain_text("Awaiting approval")
    expect(teacher.get_by_role("heading", name="Waiting for the technology director's approval")).to_be_visible()
    expect(teacher.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    shots.take(teacher, "request-sent")
    teacher.get_by_role("link", name="My accounts").first.click()
    expect(teacher.get_by_role("row", name=re.compile("North Robotics"))).to_contain_text("Awaiting approval")
    shots.take(teacher, "my-accounts-waiting")

    # The director finds it among the accounts awaiting approval and approves it.
    director = visitors.sign_in(world.director)
    menu = director.get_by_role("navigation", name="Main")
    menu.get_by_role("button", name="Official accounts").click()
    menu.get_by_role("link", name="All official accounts").click()
    expect(director.get_by_role("heading", name="Official accounts")).to_be_visible()
    director.get_by_role("link", name=re.compile("awaiting approval")).click()
    waiting = director.get_by_role("row", name=re.compile("North Robotics"))
    expect(waiting).to_contain_text("Awaiting approval")
    shots.take(director, "director-awaiting-approval")
    waiting.get_by_role("link", name="North Robotics").click()
    director.get_by_role("button", name="Approve", exact=True).click()

    expect(director.get_by_role("alert")).to_contain_text("Approved.")
    expect(director.get_by_role("heading", name="North Robotics")).to_contain_text("Approved, not yet active")
    expect(director.get_by_role("heading", name="Approved, not yet launched")).to_be_visible()
    shots.take(director, "director-approved")

    # The teacher sees the decision, then launches the page.
    teacher.reload()
    approved = teacher.get_by_role("row", name=re.compile("North Robotics"))
    expect(approved).to_contain_text("Approved, not yet active")
    shots.take(teacher, "my-accounts-approved")
    approved.get_by_role("link", name="North Robotics").click()
    expect(teacher.get_by_role("definition").filter(has_text=f"by {world.director.full_name}")).to_be_visible()
    teacher.get_by_role("button", name="Mark as launched").click()
    expect(teacher.get_by_role("alert")).to_contain_text("The account is active.")
    expect(teacher.get_by_role("heading", name="North Robotics")).to_contain_text("Active")
    shots.take(teacher, "launched")

    account = SocialAccount.objects.get()
    assert (account.handle_key, account.status, account.requested_by, account.decided_by) == (
        "north.robotics",
        AccountStatus.ACTIVE,
        world.staff,
        world.director,
    )
    assert account.launched_on == timezone.localdate()
    assert set(account.administrators.values_list("user__email", "role")) == {
        (world.staff.email, "primary"),
        (colleague.email, "backup"),
    }


def open_this_years_disclosures(world, **policy: object) -> DisclosureCycle:
    """North's disclosure for the school year of today, opened at the start of the year, due in a month."""
    for name, value in policy.items():
        setattr(world.district, name, value)
    world.district.save()
    today = timezone.localdate()
    year = world.district.school_year_for(today)
    return disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=year.start_year,
        opens_on=year.starts_on,
        due_on=today + datetime.timedelta(days=30),
        new_hire_grace_days=30,
    )


def test_it_lets_a_staff_member_file_their_disclosure(world, visitors, screenshots):
    shots = screenshots("disclosure")
    cycle = open_this_years_disclosures(world)
    label = cycle.school_year.label

    teacher = visitors.sign_in(world.staff)
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Disclosures").click()
    expect(teacher.get_by_role("heading", name="My annual disclosure")).to_be_visible()
    expect(teacher.get_by_role("heading", name=label)).to_contain_text("Not started")
    shots.take(teacher, "not-started")
    teacher.get_by_role("button", name="Start my disclosure").click()

    expect(teacher.get_by_role("heading", name=f"{label} disclosure")).to_be_visible()
    expect(
        teacher.get_by_text("List the networks you take part in, or state that you take part in none.")
    ).to_be_visible()
    expect(teacher.get_by_role("button", name="Sign and submit")).to_be_disabled()
    shots.take(teacher, "empty-draft")
    teacher.get_by_label("Platform").select_option(label="Facebook")
    teacher.get_by_label("Name of the group or page").fill("North High Band Parents")
    teacher.get_by_label("School").select_option(label="North High")
    teacher.get_by_role("group", name="Who runs it").get_by_label("Parents").check()
    teacher.get_by_role("group", name="My part in it").get_by_label("Member").check()
    teacher.get_by_role("group", name="Students are members").get_by_label("No", exact=True).check()
    shots.take(teacher, "network-filled-in")
    teacher.get_by_role("button", name="Add this network").click()

    listed = teacher.get_by_role("row", name=re.compile("North High Band Parents"))
    expect(listed).to_contain_text("Parents")
    expect(listed).to_contain_text("Member")
    expect(teacher.get_by_label("I take part in no such networks")).to_be_disabled()
    teacher.get_by_label("Type your full name to sign").fill(world.staff.full_name)
    shots.take(teacher, "ready-to-sign")
    teacher.get_by_role("button", name="Sign and submit").click()

    expect(teacher.get_by_role("alert")).to_contain_text("Your disclosure is signed and filed.")
    expect(teacher.get_by_role("heading", name=f"{label} disclosure")).to_contain_text("Waiting for review")
    expect(teacher.get_by_role("row", name=re.compile("North High Band Parents"))).to_be_visible()
    expect(teacher.get_by_text(f"“{world.staff.full_name}”")).to_be_visible()
    shots.take(teacher, "filed")
    teacher.get_by_role("link", name="My disclosure").click()
    expect(teacher.get_by_role("heading", name=label)).to_contain_text("Waiting for review")
    expect(teacher.get_by_role("link", name="Open my disclosure")).to_be_visible()
    shots.take(teacher, "home-filed")

    filed = Disclosure.objects.get(cycle=cycle, employee=world.staff)
    assert (filed.state, filed.version, filed.signed_name, filed.takes_part_in_none) == (
        DisclosureState.SUBMITTED,
        1,
        world.staff.full_name,
        False,
    )
    assert filed.attestation_hash == cycle.attestation_hash
    assert list(filed.networks.values_list("platform", "name", "school", "run_by", "part", "students_are_members")) == [
        ("facebook", "North High Band Parents", world.school.pk, "parents", "member", "no")
    ]


def test_it_lets_a_clerk_put_a_student_on_the_do_not_post_list_and_take_them_off(world, visitors, screenshots):
    shots = screenshots("consent")
    world.district.photo_model = "opt_out"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    scope = ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)
    maya = StudentFactory(school=world.school, first_name="Maya", last_name="Okafor", grade="04")
    liam = StudentFactory(school=world.school, first_name="Liam", last_name="Berg", grade="04")

    # Under an opt-out policy nobody is listed before a family opts out.
    clerk = visitors.sign_in(world.clerk)
    clerk.get_by_role("navigation", name="Main").get_by_role("link", name="Photo consent").click()
    expect(clerk.get_by_role("heading", name="Photo consent", exact=True)).to_be_visible()
    clerk.get_by_role("link", name="North High").click()
    expect(clerk.get_by_role("heading", name="Do not post: North High")).to_be_visible()
    expect(clerk.get_by_text("No student here is on the do-not-post list")).to_be_visible()
    shots.take(clerk, "list-empty")

    # The family's opt-out form arrives: the clerk finds Maya and records it.
    clerk.get_by_role("navigation", name="Main").get_by_role("link", name="Photo consent").click()
    clerk.get_by_role("link", name="Record answers").click()
    expect(clerk.get_by_role("heading", name="Record families' answers")).to_be_visible()
    clerk.get_by_label("Student name or id").fill("Okafor")
    clerk.get_by_label("Student name or id").press("Enter")
    found = clerk.get_by_role("listitem").filter(has_text="Okafor, Maya")
    expect(found).to_contain_text(maya.sis_id)
    shots.take(clerk, "student-found")
    # The name opens the whole paper form in place; one answer at a time is on the student's page.
    found.get_by_role("link", name=re.compile("consent page")).click()
    expect(clerk.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    clerk.get_by_label("Consent for").select_option(label=scope.name)
    clerk.get_by_role("group", name="Decision").get_by_label("Refused (opted out)").check()
    clerk.get_by_label("Parent or guardian").fill("Ada Okafor")
    shots.take(clerk, "opt-out-filled-in")
    clerk.get_by_role("button", name="Record").click()
    expect(clerk.get_by_role("alert")).to_contain_text("Recorded for Maya Okafor")
    expect(clerk.get_by_role("alert")).to_contain_text("Refused (opted out)")
    expect(clerk.get_by_role("heading", name="Record families' answers")).to_be_visible()

    # The school's list now names her, and only her.
    clerk.get_by_role("navigation", name="Main").get_by_role("link", name="Photo consent").click()
    clerk.get_by_role("link", name="North High").click()
    expect(clerk.get_by_text("1 student must not appear")).to_be_visible()
    listed = clerk.get_by_role("table", name="Students who must not appear")
    expect(listed.get_by_role("row", name=re.compile("Okafor, Maya"))).to_be_visible()
    expect(listed).not_to_contain_text("Berg")
    shots.take(clerk, "list-with-maya")

    # The family changes its mind: consent granted takes her off the list.
    listed.get_by_role("row", name=re.compile("Okafor, Maya")).get_by_role("link", name="Record an answer").click()
    expect(clerk.get_by_role("heading", name="Maya Okafor")).to_be_visible()
    today_table = clerk.get_by_role("table").filter(
        has=clerk.get_by_role("columnheader", name="May the picture be posted?")
    )
    expect(today_table.get_by_role("row", name=scope.name)).to_contain_text("Do not post")
    clerk.get_by_label("Consent for").select_option(label=scope.name)
    clerk.get_by_role("group", name="Decision").get_by_label("Granted").check()
    clerk.get_by_label("Parent or guardian").fill("Ada Okafor")
    clerk.get_by_role("button", name="Record").click()
    expect(clerk.get_by_role("alert")).to_contain_text("Granted")
    expect(today_table.get_by_role("row", name=scope.name)).to_contain_text("May be posted")
    shots.take(clerk, "student-granted")
    clerk.get_by_role("navigation", name="Main").get_by_role("link", name="Photo consent").click()
    clerk.get_by_role("link", name="North High").click()
    expect(clerk.get_by_text("No student here is on the do-not-post list")).to_be_visible()
    shots.take(clerk, "list-empty-again")

    records = ConsentRecord.objects.filter(student=maya, scope=scope).order_by("pk")
    assert [(r.decision, r.recorded_by, r.guardian_name) for r in records] == [
        ("refused", world.clerk, "Ada Okafor"),
        ("granted", world.clerk, "Ada Okafor"),
    ]
    assert not ConsentRecord.objects.filter(student=liam).exists()
    assert list(selectors.do_not_post_list(selectors.school_students(world.school), scope)) == []


def test_it_opens_a_principals_dashboard_at_home(world, visitors, screenshots):
    shots = screenshots("principal-dashboard")
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    open_this_years_disclosures(world, disclosure_recipient="school")
    scope = ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)
    today = timezone.localdate()
    # Accounts: one of two live accounts in good standing (50%). Disclosures: nobody has filed yet (0%).
    # Families: three of four have answered (75%). No tool is used with students. The score: 42.
    good = SocialAccountFactory(
        school=world.school,
        display_name="North High News",
        launched_on=today,
        next_review_on=today + datetime.timedelta(days=365),
    )
    AdministratorFactory(account=good, role="primary")
    SocialAccountFactory(
        school=world.school,
        display_name="North High Athletics",
        launched_on=today,
        next_review_on=today + datetime.timedelta(days=365),
    )
    for grade, decision in [("03", "granted"), ("03", "refused"), ("04", "granted"), ("04", None)]:
        student = StudentFactory(school=world.school, grade=grade)
        if decision:
            ConsentRecordFactory(student=student, scope=scope, decision=decision, received_on=today)

    principal = visitors.sign_in(world.principal)
    expect(principal).to_have_url(f"{visitors.base_url}/")
    expect(principal.get_by_role("heading", name="North High", exact=True)).to_be_visible()
    score = principal.locator(".card").filter(has_text="compliance score out of 100")
    expect(score.get_by_text("42", exact=True)).to_be_visible()
    for part, figure in [
        ("Accounts in good standing", "1 of 2 · 50%"),
        ("Disclosures filed", "· 0%"),
        ("Families who have answered", "3 of 4 · 75%"),
    ]:
        expect(score.get_by_role("listitem").filter(has_text=part)).to_contain_text(figure)
        expect(score.get_by_role("progressbar", name=re.compile(part))).to_be_visible()
    steps = principal.locator(".card").filter(has=principal.get_by_role("heading", name="What to do next"))
    expect(steps.get_by_role("listitem")).to_have_text(
        [
            re.compile(r"Name administrators for 1 official account\s+Urgent"),
            re.compile(r"Collect 1 consent form\s+Soon"),
            re.compile(r"Remind \d+ staff members to file their disclosure"),
        ]
    )
    chart = principal.get_by_role(
        "img", name=re.compile("consent given, refused or withdrawn, and no answer, per grade")
    )
    expect(chart).to_be_visible()
    # Chart.js drew on the canvas (its script ran under the content security policy).
    assert principal.evaluate("() => Boolean(Chart.getChart('coverage-chart'))")
    shots.take(principal, "dashboard")

    # The print button prints (the browser's dialog itself is replaced).
    principal.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    principal.get_by_role("button", name="Print").click()
    assert principal.evaluate("() => window.printed") == 1


def test_a_teacher_signs_in_with_the_districts_account_and_lands_at_home(
    world, visitors, screenshots, oidc_provider, settings
):
    shots = screenshots("single-sign-on")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "district",
                    "name": "North Sign-in",
                    "client_id": "registry",
                    "secret": "registry-secret",
                    "settings": {"server_url": oidc_provider.url, "oauth_pkce_enabled": True},
                }
            ]
        }
    }
    world.district.sign_in_domains = "north.example.org"
    world.district.save()
    oidc_provider.person(world.staff.email, email=world.staff.email, email_verified=True)

    teacher = visitors.open()
    teacher.goto("/account/login/")
    expect(teacher.get_by_role("heading", name="Sign in")).to_be_visible()
    shots.take(teacher, "sign-in-page")
    teacher.get_by_role("button", name="Sign in with North Sign-in").click()
    # The district's provider asks who is signing in (its own page, outside the product).
    teacher.locator("input[name=sub]").fill(world.staff.email)
    teacher.get_by_role("button", name="Authorize").click()

    menu = teacher.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("button", name=world.staff.full_name)).to_be_visible()
    expect(teacher).to_have_url(re.compile(r"/$"))
    shots.take(teacher, "home")
