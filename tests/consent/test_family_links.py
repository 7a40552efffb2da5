"""Families answer for themselves on a link of their own (issue 25): no account, signed, expiring,
revocable, rate-limited, for one student only; the signed answers are ordinary append-only records
that move the student on the do-not-post lists at once; e-mails go through the reminder log, once."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from accounts.models import ProgramMembership
from consent import family_links, selectors, services
from consent.models import ConsentRecord, Decision, FamilyLink, FamilySignature, ListKind, ListViewLog, ReceivedBy
from reminders import services as reminder_services
from reminders.models import Reminder, ReminderStatus
from tests.factories import ProgramFactory, StudentFactory, guardian_of

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 10, 5, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock_outbox_and_limits(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def student(world):
    return StudentFactory(school=world.school, first_name="Sofia", last_name="Reyes", grade="03")


@pytest.fixture
def parent(student):
    return guardian_of(student, first_name="Ana", last_name="Reyes", preferred_language="es")


@pytest.fixture
def link(world, scopes, student, parent) -> FamilyLink:
    [issued] = services.family_links_issue(acting_user=world.clerk, students=[student], school_year=2026)
    return issued


def url_of(link: FamilyLink) -> str:
    return reverse("family:answer", args=[family_links.token_for(link)])


def answers(scopes, value: str = "yes", **overrides: str) -> dict[str, str]:
    data = {f"scope_{scope.pk}": value for scope in scopes.values() if scope.kind != "participation"}
    data.update(overrides)
    return {"typed_name": "Ana Reyes", "relationship": "parent", "signatures_seen": "0", "language": "en", **data}


# --- The token -------------------------------------------------------------------------------------


def test_it_opens_the_form_for_its_one_student_without_an_account(client, link, student):
    page = client.get(url_of(link), {"language": "en"})

    assert page.status_code == 200
    assert b"Sofia" in page.content and b"Reyes" not in page.content.split(b"<form")[0].split(b"</h1>")[0][-40:]
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert ListViewLog.objects.filter(kind=ListKind.FAMILY_LINK, student=student, user=None).count() == 1


def test_it_refuses_a_tampered_token(client, link):
    token = family_links.token_for(link)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    page = client.get(reverse("family:answer", args=[tampered]))

    assert page.status_code == 404
    assert b"This link no longer works" in page.content


def test_it_refuses_a_token_for_another_student_made_with_a_guessed_id(client, world, scopes, link):
    other = StudentFactory(school=world.school)
    guardian_of(other)
    [theirs] = services.family_links_issue(acting_user=world.clerk, students=[other], school_year=2026)
    forged = signing.dumps([theirs.pk, link.nonce], salt="consent.family-link", compress=False)

    assert client.get(reverse("family:answer", args=[forged])).status_code == 404


def test_it_shows_an_expired_link_as_a_page_saying_how_to_get_a_new_one(client, link):
    with time_machine.travel(link.expires_at + datetime.timedelta(minutes=1), tick=False):
        page = client.get(url_of(link), {"language": "en"})

    assert page.status_code == 410
    assert b"has expired" in page.content and b"How to get a new link" in page.content
    assert b"Sofia" not in page.content


def test_it_stops_a_revoked_link_at_once(client, world, link):
    services.family_link_revoke(acting_user=world.clerk, link=link)

    page = client.get(url_of(link), {"language": "en"})
    assert page.status_code == 410
    assert b"cancelled" in page.content
    assert client.post(url_of(link), {}).status_code == 410


def test_it_turns_away_an_address_that_guesses_too_many_links(client, settings, link):
    settings.FAMILY_LINK_FAILURES_PER_HOUR = 3
    for n in range(3):
        assert client.get(reverse("family:answer", args=[f"guess{n}"])).status_code == 404

    assert client.get(url_of(link)).status_code == 429  # even a good link, for the rest of the hour


def test_it_lets_a_family_that_signs_from_a_new_link_each_year_use_the_district_expiry(world, scopes, student, parent):
    world.district.family_link_days = 14
    world.district.save()
    [issued] = services.family_links_issue(acting_user=world.clerk, students=[student], school_year=2026)

    assert issued.expires_at == NOW + datetime.timedelta(days=14)


# --- Answering and signing -------------------------------------------------------------------------


def test_it_records_signed_answers_that_move_the_student_onto_the_do_not_post_list(client, scopes, student, link):
    social = scopes["social_media"]
    data = answers(scopes, "yes", **{f"scope_{social.pk}": "no"})

    response = client.post(url_of(link), data, REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    signature = FamilySignature.objects.get()
    assert (signature.typed_name, signature.relationship, signature.ip_address) == (
        "Ana Reyes",
        "parent",
        "203.0.113.7",
    )
    assert signature.text_sha256 == family_links.text_sha256(signature.text_shown)
    assert "Sofia" in signature.text_shown and signature.text_version.startswith("2026")
    records = ConsentRecord.objects.filter(student=student)
    assert records.count() == len(data) - 4
    assert {r.received_by for r in records} == {ReceivedBy.ONLINE}
    assert {r.recorded_by for r in records} == {None}
    assert records.get(scope=social).decision == Decision.REFUSED
    assert list(selectors.do_not_post_list(student.school.students.all(), social)) == [student]


def test_it_shows_the_current_answers_and_records_a_change_of_mind_as_a_withdrawal(client, scopes, student, link):
    social = scopes["social_media"]
    client.post(url_of(link), answers(scopes, "yes"))
    assert not selectors.do_not_post_list(student.school.students.all(), social).exists()

    page = client.get(url_of(link), {"language": "en"})
    assert re.search(rf'name="scope_{social.pk}"[^>]*value="yes" checked', page.content.decode())
    client.post(url_of(link), answers(scopes, "yes", signatures_seen="1", **{f"scope_{social.pk}": "no"}))

    latest = ConsentRecord.objects.filter(student=student, scope=social).order_by("-pk").first()
    assert latest.decision == Decision.WITHDRAWN
    assert list(selectors.do_not_post_list(student.school.students.all(), social)) == [student]


def test_it_records_nothing_when_half_the_questions_are_answered(client, scopes, link):
    data = answers(scopes, "yes")
    del data[f"scope_{scopes['yearbook'].pk}"]

    page = client.post(url_of(link), data)

    assert page.status_code == 400
    assert b'role="alert"' in page.content and b"Error:" in page.content
    assert not ConsentRecord.objects.exists() and not FamilySignature.objects.exists()


def test_it_refuses_a_name_of_ten_thousand_characters_with_a_message(client, scopes, link):
    page = client.post(url_of(link), answers(scopes, typed_name="A" * 10_000))

    assert page.status_code == 400
    assert b"at most 200 characters" in page.content
    assert not ConsentRecord.objects.exists()


def test_it_refuses_a_replayed_form_and_records_nothing_twice(client, scopes, link):
    data = answers(scopes, "yes")
    client.post(url_of(link), data)
    count = ConsentRecord.objects.count()

    replay = client.post(url_of(link), data)

    assert replay.status_code == 400
    assert b"already sent" in replay.content
    assert ConsentRecord.objects.count() == count and FamilySignature.objects.count() == 1


def test_it_never_shows_another_guardians_name_or_another_student(client, world, scopes, student, link):
    other_parent = guardian_of(student, first_name="Bruno", last_name="Castillo")
    [theirs] = [
        x for x in services.family_links_issue(acting_user=world.clerk, students=[student], school_year=2026)
        if x.guardian == other_parent
    ]  # fmt: skip
    client.post(url_of(theirs), answers(scopes, "yes", typed_name="Bruno Castillo", signatures_seen="0"))
    classmate = StudentFactory(school=world.school, first_name="Mateo")

    page = client.get(url_of(link), {"language": "en"}).content

    assert b"Bruno" not in page and b"Castillo" not in page and classmate.first_name.encode() not in page
    assert b" checked" not in page  # Bruno's answers are his own: Ana answers afresh


# --- Sending ---------------------------------------------------------------------------------------


def deliver() -> None:
    reminder_services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))


def test_it_emails_each_family_once_in_its_language_however_often_links_are_sent(world, scopes, student, parent):
    scope_list = selectors.active_scopes(world.district)
    for _ in range(2):
        services.family_links_send(acting_user=world.clerk, students=[student], school_year=2026, scopes=scope_list)
        deliver()
        deliver()  # a repeated delivery

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [parent.email]
    assert "Sofia" in message.subject and world.district.name in message.body
    assert "http" in message.body and "/family/" in message.body
    assert "Hola" in message.body or "fotos" in message.body.lower()  # Spanish, from the roster


def test_it_reminds_a_family_once_after_the_districts_days_and_never_after_an_answer(client, world, scopes, student):
    parent = guardian_of(student, first_name="Lee")
    other = StudentFactory(school=world.school)
    answering = guardian_of(other, first_name="Kim")
    scope_list = selectors.active_scopes(world.district)
    sent = services.family_links_send(
        acting_user=world.clerk, students=[student, other], school_year=2026, scopes=scope_list
    )
    deliver()
    answered = next(link for link in sent.links if link.guardian == answering)
    client.post(url_of(answered), answers(scopes, "yes"))
    mail.outbox.clear()

    later = NOW + datetime.timedelta(days=world.district.family_reminder_days)
    with time_machine.travel(later, tick=False):
        reminder_services.reminders_plan(today=later.date(), districts=[world.district])
        reminder_services.reminders_plan(today=later.date(), districts=[world.district])
        deliver()

    families = [m.to for m in mail.outbox if m.to[0].endswith("@home.example.org")]  # staff get their own
    assert families == [[parent.email]]
    assert Reminder.objects.filter(kind="family_consent_reminder", status=ReminderStatus.SENT).count() == 1


def test_it_prints_a_letter_with_a_qr_code_for_each_family_without_email(client, world, scopes, student):
    guardian_of(student, first_name="Paper", email="")
    guardian_of(student, first_name="Online")
    client.force_login(world.clerk)

    page = client.post(
        reverse("consent:family_links"), {"school": world.school.pk, "school_year": "2026", "action": "letters"}
    )

    assert page.status_code == 200
    assert page.content.count(b'class="family-letter') == 1
    assert b"<svg" in page.content and b"Paper" in page.content and b"Online" not in page.content
    assert ListViewLog.objects.filter(kind=ListKind.FAMILY_LINKS, user=world.clerk).exists()


def test_it_downloads_a_csv_of_links_for_the_districts_messaging_tool(client, world, scopes, student, parent):
    client.force_login(world.clerk)

    response = client.post(
        reverse("consent:family_links"), {"school": world.school.pk, "school_year": "2026", "action": "csv"}
    )

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Student,Grade,School,Guardian,E-mail")
    assert "no-store" in response["Cache-Control"]
    assert "/family/" in lines[1] and parent.email in lines[1] and ",es," in lines[1]


def test_it_sends_links_for_a_program_only(client, world, scopes, student, parent):
    club = ProgramFactory(school=world.school)
    member = StudentFactory(school=world.school)
    guardian_of(member)
    ProgramMembership.objects.create(program=club, student=member, role="member")
    client.force_login(world.clerk)

    client.post(
        reverse("consent:family_links"),
        {"school": world.school.pk, "school_year": "2026", "program": club.pk, "action": "send"},
    )

    assert set(FamilyLink.objects.values_list("student_id", flat=True)) == {member.pk}


def test_it_refuses_links_for_a_school_the_clerk_does_not_serve(client, world, scopes):
    client.force_login(world.clerk)

    page = client.post(
        reverse("consent:family_links"), {"school": world.other_school.pk, "school_year": "2026", "action": "send"}
    )

    assert page.status_code == 404
    assert not FamilyLink.objects.exists()


def test_it_lets_only_the_school_office_revoke_a_link(client, world, link):
    client.force_login(world.other_principal)
    assert client.post(reverse("consent:family_link_revoke", args=[link.pk])).status_code == 404

    client.force_login(world.clerk)
    client.post(reverse("consent:family_link_revoke", args=[link.pk]))
    link.refresh_from_db()
    assert link.revoked_at is not None


# --- Both languages ---------------------------------------------------------------------------------


def visible_sentences(html: str) -> set[str]:
    """The page's own sentences: text between tags, three words or more, without the data shown."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    pieces = re.split(r"<[^>]+>", text)
    return {" ".join(p.split()) for p in pieces if len(p.split()) >= 3}


@pytest.fixture
def both_pages(client, link):
    english = client.get(url_of(link), {"language": "en"}).content.decode()
    spanish = client.get(url_of(link), {"language": "es"}).content.decode()
    return english, spanish


def test_it_shows_the_family_page_in_spanish_with_no_english_sentence_left(both_pages):
    english, spanish = both_pages

    assert '<html lang="es">' in spanish and "Firmar y enviar mis respuestas" in spanish
    left_in_english = {s for s in visible_sentences(english) & visible_sentences(spanish) if "Sofia" not in s}
    assert left_in_english == set()


def test_it_opens_in_the_guardians_language_from_the_roster_with_a_switch(client, link):
    page = client.get(url_of(link)).content.decode()  # Ana's preferred language is Spanish

    assert '<html lang="es">' in page
    assert 'hreflang="en"' in page and ">English<" in page


def test_it_follows_the_browser_when_the_roster_gives_no_language(client, world, scopes):
    student = StudentFactory(school=world.school)
    guardian_of(student, preferred_language="")
    [link] = services.family_links_issue(acting_user=world.clerk, students=[student], school_year=2026)

    page = client.get(url_of(link), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()

    assert '<html lang="es">' in page


def test_it_keeps_the_spanish_text_the_family_signed(client, scopes, link):
    client.post(url_of(link), answers(scopes, "yes", language="es"))

    signature = FamilySignature.objects.get()
    assert signature.language == "es"
    assert "Al escribir mi nombre confirmo" in signature.text_shown


# --- An authorization's own form --------------------------------------------------------------------


def test_it_sends_an_authorizations_own_form_that_asks_only_about_taking_part(client, world, scopes):
    from authorizations.models import Authorization
    from authorizations.services import authorization_grant
    from tests.factories import AuthorizationFactory, ToolFactory

    club = ProgramFactory(school=world.school, name="Robotics Club")
    member = StudentFactory(school=world.school, first_name="Iris")
    family = guardian_of(member, preferred_language="en")
    ProgramMembership.objects.create(program=club, student=member, role="member")
    tool = ToolFactory(district=world.district, name="Flipgrid", parental_consent_required=True)
    asked = AuthorizationFactory(program=club, tool=tool, staff_member=world.staff)
    authorization = authorization_grant(
        acting_user=world.superintendent,
        authorization=Authorization.objects.select_related("district", "tool", "program__school").get(pk=asked.pk),
        decided_as="superintendent",
    )
    client.force_login(world.clerk)

    client.post(reverse("authorizations:ask_families", args=[authorization.pk]))
    reminder_services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))

    [message] = [m for m in mail.outbox if m.to == [family.email]]
    assert "take part" in message.subject and "Flipgrid" in message.subject
    link = FamilyLink.objects.get(student=member)
    assert link.participation_scope == authorization.participation_scope
    client.logout()
    page = client.get(url_of(link), {"language": "en"}).content.decode()
    assert "May Iris take part?" in page and "Yearbook" not in page
    client.post(url_of(link), {"typed_name": "Pat", "relationship": "parent", "signatures_seen": "0",
                               f"scope_{authorization.participation_scope.pk}": "yes"})  # fmt: skip
    record = ConsentRecord.objects.get(student=member)
    assert (record.scope, record.decision) == (authorization.participation_scope, Decision.GRANTED)


def test_it_shows_the_districts_own_words_in_the_familys_language(client, scopes, link):
    social = scopes["social_media"]
    social.description = "We post team photos after each game."
    social.description_es = "Publicamos fotos del equipo después de cada partido."
    social.save()

    spanish = client.get(url_of(link), {"language": "es"}).content.decode()
    english = client.get(url_of(link), {"language": "en"}).content.decode()

    assert "Publicamos fotos del equipo" in spanish and "We post team photos" not in spanish
    assert "We post team photos" in english
