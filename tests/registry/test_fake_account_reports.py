"""Reports of pages that claim to be the district's: anyone reports (a family from the public
directory without signing in, guarded against robots and floods; staff from inside), the director
checks the address against the registry, reports fakes to the platform (48 hours for intimate images
of a student under the Take It Down Act), records the outcome, and is chased once per stage; the
public directory answers "is this page ours?"."""

from __future__ import annotations

import datetime
import re
import time

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from compliance import obligations
from registry import report_guard, services
from registry.models import FakeAccountReport, FakeReportOutcome, FakeReportVerdict
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.factories import SocialAccountFactory, staff_at

FAKE = "https://www.instagram.com/North.High.Fake/?hl=en"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the hourly counts of the public form live in the cache
    yield
    cache.clear()


def _form_data(**overrides: str) -> dict[str, str]:
    ticket = report_guard.issue(now=time.time() - 30)  # the form was shown half a minute ago
    return {
        "address": FAKE,
        "problem": "impersonation",
        "details": "",
        "reporter_contact": "",
        "answer": str(ticket.first + ticket.second),
        "website": "",
        "ticket": ticket.token,
        **overrides,
    }


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _report_url(world) -> str:
    return reverse("registry:public_report", args=[world.district.slug])


def _report(world, **fields) -> FakeAccountReport:
    return services.fake_report_submit(
        acting_user=None,
        district=world.district,
        address=fields.pop("address", FAKE),
        problem=fields.pop("problem", "impersonation"),
        **fields,
    )


# --- The public form ------------------------------------------------------------------------------


def test_it_takes_a_familys_report_without_sign_in_and_reads_the_address(client, world):
    response = client.post(_report_url(world), _form_data(reporter_contact="parent@example.com"))

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:public_report_thanks", args=[world.district.slug])
    report = FakeAccountReport.objects.get()
    assert report.district == world.district
    assert report.platform is not None and report.platform.slug == "instagram"  # from the address's host
    assert (report.handle, report.handle_key) == ("@North.High.Fake", "north.high.fake")
    assert report.reported_by is None
    assert report.reporter_contact == "parent@example.com"
    assert report.history.get().history_change_reason == "Reported from the public directory"


def test_it_links_the_report_form_from_the_public_directory(client, world):
    page = client.get(reverse("registry:public_directory", args=[world.district.slug])).text

    assert _report_url(world) in page
    assert "Report a page that claims to be ours" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"address": ""}, "Enter the address of the page."),
        ({"address": "not an address"}, "This is not the address of a page."),
        ({"address": "ftp://example.org/x"}, "This is not the address of a page."),
        ({"address": "https://" + "a" * 600 + ".org"}, "This address is too long."),
        ({"problem": ""}, "Choose what is wrong with the page."),
        ({"problem": "arson"}, "Select a valid choice."),
        ({"answer": "99"}, "That is not the right answer to the sum."),
        ({"answer": ""}, "Answer the sum, so we know a person sent the report."),
    ],
)
def test_it_refuses_bad_input_in_words(client, world, changes, message):
    response = client.post(_report_url(world), _form_data(**changes))

    assert response.status_code == 400
    assert message in response.text
    assert not FakeAccountReport.objects.exists()


def test_it_refuses_what_only_a_robot_fills_in(client, world):
    response = client.post(_report_url(world), _form_data(website="http://spam.example"))

    assert response.status_code == 400
    assert "Your report could not be sent." in response.text
    assert not FakeAccountReport.objects.exists()


def test_it_refuses_a_form_sent_faster_than_a_person_can(client, world):
    ticket = report_guard.issue()  # shown just now
    data = _form_data(ticket=ticket.token, answer=str(ticket.first + ticket.second))

    response = client.post(_report_url(world), data)

    assert response.status_code == 400
    assert "faster than a person" in response.text
    assert not FakeAccountReport.objects.exists()


@pytest.mark.parametrize("token", ["", "forged", "WzEsMiwzXQ:1abc:def"])
def test_it_refuses_a_missing_forged_or_stale_ticket(client, world, token):
    response = client.post(_report_url(world), _form_data(ticket=token))

    assert response.status_code == 400
    assert "The form had expired." in response.text
    assert not FakeAccountReport.objects.exists()


def test_it_shows_a_refused_form_again_with_a_ticket_that_works(client, world):
    response = client.post(_report_url(world), _form_data(ticket="forged"))
    token = re.search(r'name="ticket" value="([^"]+)"', response.text)

    assert token is not None and token.group(1) != "forged"
    ticket = report_guard.current(token.group(1))
    assert ticket.question in response.text
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=20)):
        again = client.post(
            _report_url(world), {**_form_data(), "ticket": ticket.token, "answer": str(ticket.first + ticket.second)}
        )
    assert again.status_code == 302
    assert FakeAccountReport.objects.count() == 1


def test_it_refuses_a_ticket_older_than_two_hours(client, world):
    ticket = report_guard.issue(now=time.time() - report_guard.MAX_SECONDS - 60)

    response = client.post(
        _report_url(world), _form_data(ticket=ticket.token, answer=str(ticket.first + ticket.second))
    )

    assert response.status_code == 400
    assert not FakeAccountReport.objects.exists()


def test_it_turns_away_an_address_that_sent_too_many(client, world, settings):
    settings.FAKE_REPORTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(_report_url(world), _form_data()).status_code == 302

    response = client.post(_report_url(world), _form_data())

    assert response.status_code == 429
    assert "Too many reports were sent from your network" in response.text
    assert FakeAccountReport.objects.count() == 2
    # Another network address still may.
    assert client.post(_report_url(world), _form_data(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_it_shows_the_same_thanks_whatever_the_district_knows(client, world, settings):
    thanks = reverse("registry:public_report_thanks", args=[world.district.slug])
    before = client.get(thanks).text
    report = _report(world, problem="intimate_images", details="Secret detail", reporter_contact="me@example.com")
    services.fake_report_decide(acting_user=world.director, report=report, verdict=FakeReportVerdict.CONFIRMED_FAKE)

    after = client.get(thanks).text

    assert _without_csrf(after) == _without_csrf(before)
    for leaked in ("north.high.fake", "Secret detail", "me@example.com", "Confirmed", "director@"):
        assert leaked not in after


def test_it_shows_the_report_form_without_other_reports(client, world):
    _report(world, details="Someone else's words", reporter_contact="other@example.com")

    page = client.get(_report_url(world)).text

    assert "north.high.fake" not in page.lower()
    assert "Someone else's words" not in page
    assert "other@example.com" not in page


def test_it_has_no_report_form_for_a_district_that_publishes_no_directory(client, world):
    world.district.public_directory_enabled = False
    world.district.save()

    assert client.get(_report_url(world)).status_code == 404
    assert client.post(_report_url(world), _form_data()).status_code == 404


def test_it_takes_a_report_in_spanish(client, world):
    page = client.get(_report_url(world), HTTP_ACCEPT_LANGUAGE="es").text
    assert "Denunciar una página que dice ser nuestra" in page
    assert "Muestra imágenes íntimas de un estudiante" in page
    assert "¿cuánto es" in page

    response = client.post(_report_url(world), _form_data(answer="99"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Esa no es la respuesta correcta a la suma." in response.text

    thanks = client.get(reverse("registry:public_report_thanks", args=[world.district.slug]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Gracias por su denuncia" in thanks.text


# --- Staff report from inside -----------------------------------------------------------------------


def test_it_lets_staff_report_but_not_read_the_reports(client, world):
    client.force_login(world.staff)

    response = client.post(reverse("registry:fake_report_new"), {"address": FAKE, "problem": "logo"})

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:fake_report_new")
    report = FakeAccountReport.objects.get()
    assert report.reported_by == world.staff
    assert client.get(reverse("registry:fake_report_list")).status_code == 403
    assert client.get(report.get_absolute_url()).status_code == 404


def test_it_refuses_a_staff_report_with_a_bad_address_in_words(client, world):
    client.force_login(world.staff)

    response = client.post(reverse("registry:fake_report_new"), {"address": "nonsense", "problem": "logo"})

    assert response.status_code == 200
    assert "This is not the address of a page." in response.text
    assert not FakeAccountReport.objects.exists()


def test_it_hides_a_districts_reports_from_the_director_next_door(client, world):
    report = _report(world)
    client.force_login(world.foreign_director)

    assert client.get(report.get_absolute_url()).status_code == 404
    step = reverse("registry:fake_report_step", args=[report.pk, "verdict"])
    assert client.post(step, {"verdict": "confirmed_fake"}).status_code == 404
    assert "north.high.fake" not in client.get(reverse("registry:fake_report_list")).text.lower()
    report.refresh_from_db()
    assert report.verdict == ""


def test_it_refuses_the_steps_to_anyone_but_the_director(world):
    report = _report(world)

    for person in (world.superintendent, world.principal, world.staff, world.foreign_director):
        with pytest.raises(Exception) as refused:
            services.fake_report_decide(acting_user=person, report=report, verdict="confirmed_fake")
        assert type(refused.value).__name__ == "PermissionDenied"


# --- The director's follow-up -----------------------------------------------------------------------


def test_it_shows_the_director_whether_the_address_is_one_of_ours(client, world):
    ours = SocialAccountFactory(school=world.school, handle="@north.high", display_name="North High")
    report = _report(world, address="instagram.com/NORTH.HIGH")
    stranger = _report(world)
    client.force_login(world.director)

    listing = client.get(reverse("registry:fake_report_list")).text
    detail = client.get(report.get_absolute_url()).text
    other = client.get(stranger.get_absolute_url()).text

    assert reverse("registry:account_detail", args=[ours.pk]) in listing
    assert "The address matches an account in the registry" in detail
    assert ours.display_name in detail
    assert "No official account in the registry has this address." in other


def test_it_does_not_match_an_account_of_another_district(world):
    SocialAccountFactory(school=world.foreign_school, handle="@north.high.fake")

    report = _report(world)

    from registry.selectors import official_match, with_match

    assert official_match(report) is None
    assert with_match(FakeAccountReport.objects.filter(pk=report.pk)).get().match_id is None


def test_it_follows_a_report_through_to_removal_with_its_history(client, world, today):
    report = _report(world, problem="intimate_images")
    client.force_login(world.director)
    step = lambda name: reverse("registry:fake_report_step", args=[report.pk, name])  # noqa: E731

    assert client.post(step("verdict"), {"verdict": "confirmed_fake"}).status_code == 302
    reported_at = timezone.now() - datetime.timedelta(hours=2)
    response = client.post(
        step("platform"),
        {
            "reported_at": timezone.localtime(reported_at).strftime("%Y-%m-%dT%H:%M"),
            "reference": "IG-12345",
            "deadline_at": "",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.verdict == FakeReportVerdict.CONFIRMED_FAKE and report.verdict_by == world.director
    assert report.platform_reference == "IG-12345" and report.platform_reported_by == world.director
    # Take It Down Act: 48 hours after the report to the platform.
    assert report.platform_deadline_at == report.platform_reported_at + datetime.timedelta(hours=48)
    assert report.outcome == FakeReportOutcome.PENDING

    assert client.post(step("outcome"), {"outcome": "removed"}).status_code == 302
    report.refresh_from_db()
    assert report.outcome == FakeReportOutcome.REMOVED and report.outcome_by == world.director
    reasons = list(report.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [
        "Reported from the public directory",
        "Decided: Confirmed fake: not an official page",
        "Reported to the platform",
        "Outcome: Removed by the platform",
    ]
    page = client.get(report.get_absolute_url()).text
    assert "IG-12345" in page
    assert "Reported to the platform" in page  # the history on the page


def test_it_sets_no_deadline_unless_one_applies_or_is_entered(world):
    report = _report(world, problem="logo")
    now = timezone.now()

    services.fake_report_platform_reported(acting_user=world.director, report=report, reported_at=now)
    report.refresh_from_db()
    assert report.platform_deadline_at is None

    entered = now + datetime.timedelta(days=7)
    services.fake_report_platform_reported(
        acting_user=world.director, report=report, reported_at=now, deadline_at=entered
    )
    report.refresh_from_db()
    assert report.platform_deadline_at == entered


def test_it_keeps_the_laws_deadline_for_intimate_images_whatever_was_entered(world):
    report = _report(world, problem="intimate_images")
    now = timezone.now()

    services.fake_report_platform_reported(
        acting_user=world.director, report=report, reported_at=now, deadline_at=now + datetime.timedelta(days=30)
    )

    report.refresh_from_db()
    assert report.platform_deadline_at == now + datetime.timedelta(hours=48)


def test_it_refuses_impossible_steps_in_words(client, world):
    report = _report(world)
    client.force_login(world.director)
    step = lambda name: reverse("registry:fake_report_step", args=[report.pk, name])  # noqa: E731

    outcome_first = client.post(step("outcome"), {"outcome": "removed"})
    future = client.post(
        step("platform"),
        {"reported_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
    )
    garbage = client.post(step("platform"), {"reported_at": "yesterday-ish"})
    no_verdict = client.post(step("verdict"), {"verdict": "maybe"})

    assert outcome_first.status_code == 400 and "Record the report to the platform first." in outcome_first.text
    assert future.status_code == 400 and "cannot be in the future" in future.text
    assert garbage.status_code == 400 and "Enter a valid date/time." in garbage.text
    assert no_verdict.status_code == 400 and "Select a valid choice." in no_verdict.text
    assert client.post(step("delete"), {}).status_code == 404
    report.refresh_from_db()
    assert (report.verdict, report.outcome, report.platform_reported_at) == ("", "", None)


def test_it_lists_reports_in_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    def make(n: int) -> None:
        for i in range(n):
            SocialAccountFactory(school=world.school, handle=f"@page{i}.{FakeAccountReport.objects.count()}")
            _report(world, address=f"https://www.instagram.com/page{i}.{FakeAccountReport.objects.count()}/")

    client.force_login(world.director)
    url = reverse("registry:fake_report_list")
    make(2)
    client.get(url)  # warm the session
    with django_assert_num_queries(4) as few:
        client.get(url)
    make(10)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.text.count("registry/accounts/") >= 12


# --- The public directory's answer ------------------------------------------------------------------


def test_it_tells_families_whether_a_page_is_official(client, world):
    SocialAccountFactory(school=world.school, handle="@north.high")
    fake = _report(world)
    directory = reverse("registry:public_directory", args=[world.district.slug])

    def ask(address: str) -> str:
        return client.get(directory, {"check": address}).text

    assert "Official page." in ask("https://instagram.com/north.high")
    assert "Not listed as official." in ask(FAKE)  # reported, not yet confirmed
    services.fake_report_decide(acting_user=world.director, report=fake, verdict=FakeReportVerdict.CONFIRMED_FAKE)
    assert "Not an official page." in ask("instagram.com/north.high.fake")
    assert "This is not the address of a profile." in ask("nonsense")
    # A page confirmed fake is answered about, never listed.
    assert "north.high.fake" not in client.get(directory).text.lower()


def test_it_says_not_official_only_for_its_own_districts_verdicts(client, world):
    report = services.fake_report_submit(
        acting_user=None, district=world.other_district, address=FAKE, problem="impersonation"
    )
    services.fake_report_decide(acting_user=world.foreign_director, report=report, verdict="confirmed_fake")

    page = client.get(reverse("registry:public_directory", args=[world.district.slug]), {"check": FAKE}).text

    assert "Not an official page." not in page
    assert "Not listed as official." in page


def test_it_answers_in_spanish(client, world):
    report = _report(world)
    services.fake_report_decide(acting_user=world.director, report=report, verdict="confirmed_fake")

    page = client.get(
        reverse("registry:public_directory", args=[world.district.slug]), {"check": FAKE}, HTTP_ACCEPT_LANGUAGE="es"
    ).text

    assert "No es una página oficial." in page


# --- Chasing: reminders and the director's list -------------------------------------------------------


@pytest.fixture(autouse=True)
def _mail_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def plan_reminders(*, today: datetime.date) -> None:
    """The daily planner, then the sender, as Celery runs them."""
    reminder_services.reminders_plan(today=today)
    reminder_services.reminders_deliver(reminder_services.reminders_take_for_queue())


def _reminders(kind: str = "fake_report_overdue") -> list[tuple[str, str, int]]:
    return sorted(Reminder.objects.filter(kind=kind).values_list("object_key", "period", "recipient_id"))


def test_it_chases_a_report_nobody_looked_at_once(world, on, today, south_asks_for_no_disclosures):
    report = _report(world)
    key = f"fake_report:{report.pk}"

    plan_reminders(today=today)
    assert _reminders() == []  # new: the director has days to look

    later = today + datetime.timedelta(days=obligations.REPORT_LOOK_WITHIN_DAYS + 1)
    with on(later):
        plan_reminders(today=later)
        plan_reminders(today=later)
    with on(later + datetime.timedelta(days=1)):
        plan_reminders(today=later + datetime.timedelta(days=1))

    assert _reminders() == [(key, "unreviewed", world.director.pk)]
    assert len([m for m in mail.outbox if "waiting for you" in m.subject]) == 1


def test_it_chases_a_report_of_intimate_images_at_once(world, today, south_asks_for_no_disclosures):
    report = _report(world, problem="intimate_images")

    plan_reminders(today=today)

    assert _reminders() == [(f"fake_report:{report.pk}", "unreviewed", world.director.pk)]
    urgent = [m for m in mail.outbox if m.subject.startswith("Urgent: a page showing intimate images")]
    assert len(urgent) == 1
    assert "48 hours" in urgent[0].body
    assert reverse("registry:fake_report_detail", args=[report.pk]) in urgent[0].body


def test_it_chases_a_platform_past_its_deadline_once(world, on, today, south_asks_for_no_disclosures):
    report = _report(world, problem="intimate_images")
    services.fake_report_decide(acting_user=world.director, report=report, verdict="confirmed_fake")
    services.fake_report_platform_reported(acting_user=world.director, report=report, reported_at=timezone.now())
    second_director = staff_at(world.school, Role.DIRECTOR, email="director2@north.example.org")

    plan_reminders(today=today)
    with on(today + datetime.timedelta(days=1)):
        plan_reminders(today=today + datetime.timedelta(days=1))  # 24 hours: still within the 48
    assert _reminders() == []

    for day in (2, 2, 3):
        moment = today + datetime.timedelta(days=day)
        with on(moment):
            plan_reminders(today=moment)

    report.refresh_from_db()
    period = f"past-deadline-{report.platform_deadline_at:%Y%m%d%H%M}"
    key = f"fake_report:{report.pk}"
    assert _reminders() == sorted([(key, period, world.director.pk), (key, period, second_director.pk)])
    assert len([m for m in mail.outbox if "past its deadline" in m.subject]) == 2


def test_it_stops_chasing_once_the_platform_removed_the_page(world, on, today, south_asks_for_no_disclosures):
    report = _report(world, problem="intimate_images")
    services.fake_report_decide(acting_user=world.director, report=report, verdict="confirmed_fake")
    services.fake_report_platform_reported(acting_user=world.director, report=report, reported_at=timezone.now())
    services.fake_report_outcome(acting_user=world.director, report=report, outcome="removed")

    moment = today + datetime.timedelta(days=5)
    with on(moment):
        plan_reminders(today=moment)

    assert _reminders() == []


def test_it_puts_reports_on_the_directors_home_page(client, world, today):
    waiting = _report(world, problem="intimate_images")
    late = _report(world, problem="intimate_images")
    services.fake_report_decide(acting_user=world.director, report=late, verdict="confirmed_fake")
    services.fake_report_platform_reported(
        acting_user=world.director, report=late, reported_at=timezone.now() - datetime.timedelta(hours=50)
    )
    assert waiting.verdict == ""

    client.force_login(world.director)
    page = client.get(reverse("home")).text
    client.force_login(world.superintendent)
    other = client.get(reverse("home")).text

    assert "Look at 1 page reported as claiming to be ours" in page
    assert "Follow up 1 reported page: the platform is past its deadline" in page
    assert "reported as claiming to be ours" not in other


# --- Every word of the family's pages in Spanish ------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["form", "refused", "thanks", "busy", "official", "not_official", "unknown", "unreadable"]
)
def test_nothing_a_family_reads_stays_in_english(client, world, settings, page):
    from tests.registry.test_public_spanish import LANGUAGE_NAMES, database_words
    from tests.translation import compile_catalogs, sentences, untranslated

    compile_catalogs()
    SocialAccountFactory(school=world.school, handle="@north.high")
    confirmed = _report(world, address="https://www.instagram.com/confirmed.fake/")
    services.fake_report_decide(acting_user=world.director, report=confirmed, verdict="confirmed_fake")
    directory = reverse("registry:public_directory", args=[world.district.slug])
    checks = {
        "official": "https://instagram.com/north.high",
        "not_official": "https://instagram.com/confirmed.fake",
        "unknown": "https://instagram.com/someone.else",
        "unreadable": "nonsense",
    }

    def fetch(language: str) -> str:
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if page == "form":
            return client.get(_report_url(world), **headers).text
        if page == "refused":
            return client.post(_report_url(world), _form_data(address="x", problem="", answer="0"), **headers).text
        if page == "thanks":
            return client.get(reverse("registry:public_report_thanks", args=[world.district.slug]), **headers).text
        if page == "busy":
            settings.FAKE_REPORTS_PER_HOUR = 1
            cache.clear()
            client.post(_report_url(world), _form_data(problem=""), **headers)
            return client.post(_report_url(world), _form_data(), **headers).text
        return client.get(directory, {"check": checks[page]}, **headers).text

    english, spanish = fetch("en"), fetch("es")
    data = [*database_words(), *checks.values(), "x", "0"]

    assert "Skip to content" in sentences(english, data=data, min_words=1)  # the comparison sees the page
    left = untranslated(english, spanish, data=data, min_words=1, same=LANGUAGE_NAMES)
    assert not left, f"untranslated on the Spanish page: {sorted(left)}"
