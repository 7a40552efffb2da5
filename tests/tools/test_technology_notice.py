"""The families' technology notice (Minnesota, Ohio, Colorado student data laws): made from the approved
tools that hold student data, published by the director for a school year, shown to families in English
and Spanish with what changed since, owed on the director's list and reminded once before the state's
deadline, and e-mailed once a school year to each parent or guardian in their language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import District, StudentGuardian
from compliance import obligations
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.factories import GuardianFactory, StudentFactory, ToolFactory, guardian_of
from tests.translation import compile_catalogs, untranslated
from tools import services
from tools.models import TechnologyNotice, Tool

NOTICE = "tools:technology_notice"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


@pytest.fixture(scope="module", autouse=True)
def _catalogs():
    compile_catalogs()


def holding(district: District, name: str, **kwargs: object) -> Tool:
    """An approved tool that holds student data, with its agreement."""
    values: dict[str, object] = {
        "description": f"{name} for class work.",
        "student_data_held": f"Names and work of students in {name}.",
        "privacy_agreement_on_file": True,
        "privacy_agreement_expires_on": datetime.date(2027, 6, 30),
        "privacy_agreement_url": f"https://north.example.org/privacy/{name.lower()}.pdf",
        **kwargs,
    }
    return ToolFactory(district=district, name=name, **values)


@pytest.fixture
def listed(world, today):
    """North's list: two providers holding student data (one approved with conditions), and tools the
    notice leaves out: one holding no data, one under review, one retired, and South's."""
    seesaw = holding(world.district, "Seesaw", decided_by=world.superintendent)
    canva = holding(world.district, "Canva", status="approved_with_conditions", conditions="Class accounts only.")
    ToolFactory(district=world.district, name="YouTube")  # holds no student data
    holding(world.district, "Padlet", status="under_review", decided_on=None)
    holding(world.district, "Flip", status="retired")
    holding(world.other_district, "Remind")
    return {"seesaw": seesaw, "canva": canva}


def publish(world, year: int = 2026) -> TechnologyNotice:
    return services.technology_notice_publish(acting_user=world.director, district=world.district, school_year=year)


def public_url(world) -> str:
    return reverse("tools:public_technology_notice", args=[world.district.slug])


# --- What the notice holds ---------------------------------------------------------------------------


def test_it_lists_the_approved_tools_that_hold_student_data(world, listed):
    notice = publish(world)

    assert [entry["name"] for entry in notice.entries] == ["Canva", "Seesaw"]
    seesaw = notice.entries[1]
    assert seesaw == {
        "tool_id": listed["seesaw"].pk,
        "name": "Seesaw",
        "vendor": "Example Learning Inc.",
        "website": "https://seesaw.example.com/",
        "description": "Seesaw for class work.",
        "student_data_held": "Names and work of students in Seesaw.",
        "privacy_agreement_on_file": True,
        "privacy_agreement_expires_on": "2027-06-30",
        "privacy_agreement_url": "https://north.example.org/privacy/seesaw.pdf",
        "decided_as": "superintendent",
        "decided_by": world.superintendent.full_name,
        "decided_on": "2026-08-01",
    }
    assert notice.published_by == world.director
    assert notice.history.get().history_change_reason == "Published"


def test_it_keeps_the_list_as_published(client, world, listed):
    publish(world)
    listed["seesaw"].student_data_held = "Everything, now."
    listed["seesaw"].save()

    page = client.get(public_url(world))

    assert "Names and work of students in Seesaw." in page.text
    assert "Everything, now." not in page.text


def test_publishing_again_replaces_the_list_and_keeps_one_notice(world, listed, on):
    publish(world)
    with on(datetime.date(2026, 12, 1)):
        holding(world.district, "Kahoot")
        notice = publish(world)

    assert TechnologyNotice.objects.filter(district=world.district).count() == 1
    assert [entry["name"] for entry in notice.entries] == ["Canva", "Kahoot", "Seesaw"]
    assert [row.history_change_reason for row in notice.history.order_by("history_id")] == [
        "Published",
        "Published again",
    ]


def test_the_public_page_shows_each_provider_and_says_which_are_listed(client, world, listed):
    publish(world)

    page = client.get(public_url(world))

    assert page.status_code == 200
    assert [entry["name"] for entry in page.context["entries"]] == ["Canva", "Seesaw"]
    assert "Only the tools the district has approved that hold student data are listed." in page.text
    assert "Names and work of students in Canva." in page.text
    assert 'href="https://north.example.org/privacy/seesaw.pdf"' in page.text
    assert "On file until June 30, 2027" in page.text
    assert f"The Superintendent ({world.superintendent.full_name}), on Aug. 1, 2026" in page.text
    assert "YouTube" not in page.text and "Padlet" not in page.text and "Remind" not in page.text


def test_it_is_in_spanish_for_a_spanish_browser(client, world, listed, on):
    publish(world)
    with on(datetime.date(2026, 12, 2)):
        holding(world.district, "Kahoot")

    english = client.get(public_url(world)).text
    spanish = client.get(public_url(world), **SPANISH).text

    assert '<html lang="es"' in spanish
    assert "Proveedores de tecnología que guardan datos de estudiantes" in spanish
    assert "Cambios desde la publicación" in spanish
    assert "Se agregó Kahoot el 2 de diciembre de 2026" in spanish
    data = [
        *District.objects.values_list("name", flat=True),
        *(value for tool in Tool.objects.all() for value in (tool.name, tool.vendor, tool.description)),
        *Tool.objects.values_list("student_data_held", flat=True),
        world.superintendent.full_name,
    ]
    left = untranslated(english, spanish, data=data, min_words=1, same={"English", "Español"})
    assert not left, f"untranslated on the Spanish page: {sorted(left)}"


def test_a_link_in_a_language_keeps_it_and_drops_it_from_the_address(client, world, listed):
    publish(world)

    response = client.get(public_url(world), {"year": "2026", "language": "es"})

    assert response.status_code == 302 and response["Location"] == f"{public_url(world)}?year=2026"
    assert "Proveedores de tecnología" in client.get(response["Location"]).text


# --- What changed since publication --------------------------------------------------------------------


def test_a_change_after_publication_shows_with_its_date(client, world, listed, on):
    publish(world)
    with on(datetime.date(2026, 12, 1)):
        holding(world.district, "Kahoot")
    with on(datetime.date(2026, 12, 3)):
        services.tool_set_aside(
            acting_user=world.director, tool=listed["seesaw"], status="retired", reason="No longer used."
        )

    page = client.get(public_url(world))

    assert "Changed since publication" in page.text
    assert "Kahoot added on Dec. 1, 2026" in page.text
    assert "Seesaw removed on Dec. 3, 2026" in page.text


def test_nothing_is_said_changed_when_the_list_is_as_published(client, world, listed):
    publish(world)
    listed["seesaw"].description = "A new description."
    listed["seesaw"].save()

    assert "Changed since publication" not in client.get(public_url(world)).text


# --- Who publishes, who sees ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["superintendent", "communications", "principal", "staff", "foreign_director"])
def test_only_the_director_publishes(world, listed, persona):
    with pytest.raises(PermissionDenied):
        services.technology_notice_publish(
            acting_user=world.persona(persona), district=world.district, school_year=2026
        )
    assert not TechnologyNotice.objects.exists()


@pytest.mark.parametrize("persona", ["superintendent", "communications", "principal", "staff"])
def test_the_publish_button_answers_403_to_anyone_else(client, world, listed, persona):
    client.force_login(world.persona(persona))

    response = client.post(reverse("tools:technology_notice_publish"), {"school_year": "2026"})

    assert response.status_code == 403
    assert not TechnologyNotice.objects.exists()


def test_the_director_publishes_from_the_page(client, world, listed):
    client.force_login(world.director)

    response = client.post(reverse("tools:technology_notice_publish"), {"school_year": "2026"}, follow=True)

    assert TechnologyNotice.objects.get().school_year == 2026
    assert "The 2026–27 technology notice is published" in response.text


def test_only_this_school_year_or_the_next_is_published(world, listed):
    with pytest.raises(ValidationError):
        services.technology_notice_publish(acting_user=world.director, district=world.district, school_year=2024)


@pytest.mark.parametrize(("persona", "status"), [("director", 200), ("superintendent", 200), ("communications", 200),
                                                 ("principal", 403), ("clerk", 403), ("staff", 403)])  # fmt: skip
def test_the_staff_page_is_for_district_leadership(client, world, listed, persona, status):
    client.force_login(world.persona(persona))

    assert client.get(reverse(NOTICE)).status_code == status


def test_an_unpublished_notice_is_not_found(client, world, listed):
    assert client.get(public_url(world)).status_code == 404
    publish(world)
    assert client.get(public_url(world), {"year": "2027"}).status_code == 404
    assert client.get(public_url(world), {"year": "next"}).status_code == 404


def test_a_district_shows_only_its_own_notice(client, world, listed):
    publish(world)

    south = client.get(reverse("tools:public_technology_notice", args=[world.other_district.slug]))

    assert south.status_code == 404


def test_the_public_page_costs_the_same_queries_for_2_or_20_providers_and_changes(
    client, world, listed, on, django_assert_num_queries
):
    publish(world)
    with on(datetime.date(2026, 12, 1)):
        holding(world.district, "Kahoot")
    client.get(public_url(world))  # warm the session-less path
    with django_assert_num_queries(4):
        client.get(public_url(world))
    for n in range(18):
        holding(world.district, f"Tool {n:02d}")
    publish(world)
    with on(datetime.date(2026, 12, 5)):
        for n in range(10):
            holding(world.district, f"Later {n:02d}")
    client.get(public_url(world))

    with django_assert_num_queries(4):
        page = client.get(public_url(world))
    assert len(page.context["entries"]) == 21 and len(page.context["changes"]) == 10


# --- The state's deadline: the director's list and the reminder ---------------------------------------


def minnesota(district: District) -> None:
    """School starts in September; the notice is due 30 days after (October 1)."""
    district.school_year_start_month = 9
    district.technology_notice_deadline = "days_after_start"
    district.technology_notice_days = 30
    district.reminder_days_before_due = 14
    district.save()


def ohio(district: District) -> None:
    """The school year starts in July; the notice is due by August 1."""
    district.school_year_start_month = 7
    district.technology_notice_deadline = "fixed_date"
    district.technology_notice_month = 8
    district.technology_notice_day = 1
    district.reminder_days_before_due = 14
    district.save()


def notices_mailed() -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if "technology notice" in message.subject]


def told(world) -> list[tuple[int | None, str, str]]:
    rows = Reminder.objects.filter(kind="technology_notice_due", district=world.district)
    return list(rows.values_list("recipient_id", "object_key", "period"))


@pytest.mark.parametrize(
    ("state", "first_day", "due_on"),
    [(minnesota, datetime.date(2026, 9, 17), datetime.date(2026, 10, 1)),
     (ohio, datetime.date(2026, 7, 18), datetime.date(2026, 8, 1))],
    ids=["minnesota", "ohio"],
)  # fmt: skip
def test_the_director_is_reminded_once_before_the_deadline(world, listed, on, state, first_day, due_on):
    state(world.district)
    before = first_day - datetime.timedelta(days=1)
    with on(before):
        reminder_services.reminders_plan(today=before, districts=[world.district])
    assert told(world) == []

    for day in (first_day, first_day + datetime.timedelta(days=1), due_on + datetime.timedelta(days=10)):
        with on(day):
            reminder_services.reminders_plan(today=day, districts=[world.district])
    with on(first_day):
        reminder_services.reminders_deliver(reminder_services.reminders_take_for_queue())

    assert told(world) == [(world.director.pk, f"district:{world.district.pk}", "technology-notice-2026")]
    [message] = notices_mailed()
    assert message.to == [world.director.email]
    assert message.subject == f"Publish the 2026–27 technology notice to families by {due_on:%B} {due_on.day}"
    assert reverse(NOTICE) in message.body


def test_no_reminder_once_published_or_where_the_state_asks_none(world, listed, on):
    minnesota(world.district)
    with on(datetime.date(2026, 9, 10)):
        publish(world)
    for day in (datetime.date(2026, 9, 17), datetime.date(2026, 10, 2)):
        with on(day):
            reminder_services.reminders_plan(today=day)

    assert told(world) == []
    assert not Reminder.objects.filter(kind="technology_notice_due").exists()  # South: no deadline


def test_a_reminder_planned_before_publication_is_not_sent_after_it(world, listed, on):
    minnesota(world.district)
    with on(datetime.date(2026, 9, 20)):
        reminder_services.reminders_plan(today=datetime.date(2026, 9, 20), districts=[world.district])
        publish(world)
        reminder_services.reminders_deliver(reminder_services.reminders_take_for_queue())

    assert Reminder.objects.get(kind="technology_notice_due").status == "skipped"
    assert notices_mailed() == []


def test_the_directors_list_owes_it_until_it_is_published(client, world, listed, on):
    minnesota(world.district)
    client.force_login(world.director)
    with on(datetime.date(2026, 10, 5)):
        owed = obligations.technology_notice_items(world.district, datetime.date(2026, 10, 5))
        home = client.get(reverse("home"))
        publish(world)
        after = client.get(reverse("home"))

    assert [(item.key, item.urgency.name, item.due_on) for item in owed] == [
        ("technology_notice_due", "URGENT", datetime.date(2026, 10, 1))
    ]
    assert "Publish the 2026–27 technology notice to families" in home.text
    assert "Publish the 2026–27 technology notice to families" not in after.text


def test_next_years_notice_is_owed_once_its_window_opens(world, listed, on):
    ohio(world.district)
    with on(datetime.date(2026, 7, 20)):
        publish(world)
    assert obligations.technology_notice_owed(world.district, datetime.date(2027, 7, 17)) is None
    owed = obligations.technology_notice_owed(world.district, datetime.date(2027, 7, 18))
    assert owed is not None and (owed.year.start_year, owed.due_on) == (2027, datetime.date(2027, 8, 1))


def test_a_fixed_date_must_exist(world):
    ohio(world.district)
    world.district.technology_notice_month, world.district.technology_notice_day = 2, 30
    with pytest.raises(ValidationError) as error:
        world.district.full_clean()
    assert "technology_notice_day" in error.value.message_dict


def test_the_policy_profile_edit_page_shows_the_rule(client, world):
    client.force_login(world.director)

    page = client.get(reverse("district_edit", args=[world.district.slug]))

    for name in ("technology_notice_deadline", "technology_notice_days", "technology_notice_month"):
        assert f'name="{name}"' in page.text


# --- Sending it to the families -------------------------------------------------------------------------


@pytest.fixture
def families(world):
    """Five North guardians: one with two children (e-mailed once), one reading Spanish, one without an
    e-mail address, one whose only child left; and a South guardian."""
    first, second = StudentFactory(school=world.school), StudentFactory(school=world.other_school)
    both = guardian_of(first, first_name="Both")
    StudentGuardian.objects.create(student=second, guardian=both, relationship="parent")
    spanish = guardian_of(second, first_name="Lucía", preferred_language="es")
    guardian_of(first, email="")
    guardian_of(StudentFactory(school=world.school, active=False))
    guardian_of(StudentFactory(school=world.foreign_school))
    GuardianFactory(district=world.district)  # in the roster, linked to no student
    return {"both": both, "spanish": spanish}


def emailed(world) -> set[int | None]:
    return set(
        Reminder.objects.filter(kind="technology_notice_to_family", district=world.district).values_list(
            "guardian_id", flat=True
        )
    )


def test_each_family_is_emailed_once_in_its_language(client, world, listed, families):
    notice = publish(world)
    client.force_login(world.director)

    for _ in range(2):
        response = client.post(reverse("tools:technology_notice_send"), {"school_year": "2026"})
        assert response.status_code == 302
    reminder_services.reminders_deliver(reminder_services.reminders_take_for_queue())

    assert emailed(world) == {families["both"].pk, families["spanish"].pk}
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    spanish = by_address[families["spanish"].email]
    assert "Lea el aviso de tecnología" in spanish.body
    assert f"{notice.public_path()}&language=es" in spanish.body
    english = by_address[families["both"].email]
    assert "Read the technology notice" in english.body and "&language=en" in english.body
    notice.refresh_from_db()
    assert notice.sent_to_families_by == world.director


def test_sending_is_refused_before_publication_and_to_anyone_but_the_director(client, world, listed, families):
    client.force_login(world.director)
    client.post(reverse("tools:technology_notice_send"), {"school_year": "2026"})
    assert emailed(world) == set()

    notice = publish(world)
    client.force_login(world.superintendent)
    assert client.post(reverse("tools:technology_notice_send"), {"school_year": "2026"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.technology_notice_send_to_families(acting_user_id=world.foreign_director.pk, notice_id=notice.pk)
    assert emailed(world) == set()


def test_the_families_page_offers_the_notice_to_the_director(client, world, listed, families):
    publish(world)
    client.force_login(world.director)

    page = client.get(reverse("consent:family_links"))
    response = client.post(reverse("tools:technology_notice_send"), {"school_year": "2026", "from": "families"})

    assert "Send the technology notice to families" in page.text
    assert response["Location"] == reverse("consent:family_links")
    assert emailed(world) == {families["both"].pk, families["spanish"].pk}
    client.force_login(world.clerk)
    assert "Send the technology notice to families" not in client.get(reverse("consent:family_links")).text


def test_the_staff_page_costs_the_same_queries_for_2_or_20_providers(
    client, world, listed, on, django_assert_num_queries
):
    publish(world)
    holding(world.district, "Tool 00")  # a change since publication
    client.force_login(world.director)
    client.get(reverse(NOTICE))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(NOTICE))
    measured = len(small.captured_queries)  # read now: the next request clears the connection's log
    for n in range(1, 18):
        holding(world.district, f"Tool {n:02d}")
    client.get(reverse(NOTICE))  # the same warm caches (the session's copy) as the first measure

    with django_assert_num_queries(measured):
        page = client.get(reverse(NOTICE))
    assert len(page.context["tools"]) == 20 and len(page.context["published"][0]["changes"]) == 18
