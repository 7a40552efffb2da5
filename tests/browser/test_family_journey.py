"""A Spanish-speaking parent answers on a phone (issue 25): the link arrives by e-mail, the form is in
Spanish at 390 pixels, the signed answer puts the child on the do-not-post list a teacher reads, and
the family's pages pass axe-core's WCAG 2.1 AA rules at 390 and at 320 pixels."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from consent import selectors, services
from consent.models import ConsentRecord, ConsentScope, ReceivedBy, ScopeKind
from consent.services import consent_scopes_set_up
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.browser.axe import violations
from tests.factories import StudentFactory, guardian_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PHONE = {"width": 390, "height": 844}


def test_a_parent_answers_in_spanish_on_a_phone_and_the_teacher_sees_the_list(
    world, visitors, screenshots, live_server, settings
):
    shots = screenshots("family")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_scopes_set_up(acting_user=None, district=world.district)
    social = ConsentScope.objects.get(district=world.district, kind=ScopeKind.SOCIAL_MEDIA)
    sofia = StudentFactory(school=world.school, first_name="Sofía", last_name="Reyes", grade="03")
    guardian_of(sofia, first_name="Ana", last_name="Reyes", preferred_language="es")

    # The clerk sends the links; the reminder log writes the e-mail, in Spanish.
    services.family_links_send(
        acting_user=world.clerk, students=[sofia], school_year=2026, scopes=selectors.active_scopes(world.district)
    )
    reminder_services.reminders_deliver(list(Reminder.objects.values_list("pk", flat=True)))
    [message] = mail.outbox
    assert "Sofía" in message.subject and "fotos" in message.subject
    link = re.search(r"http\S+/family/\S+/", message.body)
    assert link is not None

    context = visitors.browser.new_context(viewport=PHONE, locale="es-MX", bypass_csp=True)
    visitors.contexts.append(context)
    phone = context.new_page()
    phone.goto(link.group(0))
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Fotos de Sofía")
    shots.take(phone, "form-in-spanish")
    assert violations(phone) == []

    # Sending half the answers is refused, said at the top, and the focus goes there.
    phone.get_by_role("group", name="Redes sociales del distrito y de las escuelas").get_by_label("No").check()
    phone.get_by_role("button", name="Firmar y enviar mis respuestas").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("problemas que corregir")
    expect(summary).to_be_focused()
    assert phone.title().startswith("Error:")
    assert not ConsentRecord.objects.exists()
    shots.take(phone, "errors")
    assert violations(phone) == []

    for group in phone.get_by_role("group").all():
        yes = group.get_by_label("Sí", exact=True)
        if yes.count() and not group.get_by_label("No", exact=True).is_checked():
            yes.check()
    phone.get_by_label("Su nombre completo").fill("Ana Reyes")
    phone.get_by_label("Su relación con el estudiante").select_option(label="Padre o madre")
    phone.get_by_role("button", name="Firmar y enviar mis respuestas").click()
    expect(phone.get_by_role("status")).to_contain_text("Gracias")
    shots.take(phone, "saved")
    phone.set_viewport_size({"width": 320, "height": 700})
    shots.take(phone, "saved-320")
    assert violations(phone) == []

    record = ConsentRecord.objects.get(student=sofia, scope=social)
    assert (record.decision, record.received_by, record.recorded_by) == ("refused", ReceivedBy.ONLINE, None)
    assert record.family_signature is not None and record.family_signature.language == "es"

    # The teacher, at the same school, reads the list before posting.
    teacher = visitors.sign_in(world.staff)
    teacher.goto(reverse("consent:school_do_not_post", args=[world.school.pk]))
    listed = teacher.get_by_role("table", name="Students who must not appear")
    expect(listed.get_by_role("row", name=re.compile("Reyes, Sofía"))).to_be_visible()
    shots.take(teacher, "teacher-sees-the-list")
