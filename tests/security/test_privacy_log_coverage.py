"""Every page that shows a child's consent status logs the view in the privacy log.

The pages come from the permission matrix's table (itself checked against the URL configuration), so a
new page is covered as soon as it has a row there. Each page is asked by the district's own roles about
the objects of their district, as the matrix asks it (a POST with an empty body, so a form shown again
after a refusal counts too); a response naming one of the district's students must have added a row to
the privacy log, unless the page is one that names students without their consent status.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from consent import services as consent_services
from consent.models import ListViewLog
from tests.security.matrix_world import ROLES
from tests.security.test_permission_matrix import GET, PAGES, url_of

pytestmark = pytest.mark.django_db

# Pages that name students but show nothing of their consent (the student directory; a club's roster
# of who takes part is shown on the authorization page, which logs).
NAMES_WITHOUT_CONSENT_STATUS = {"student_list", "student_detail"}
OWN_DISTRICT_VARIANTS = {"page", "own_school", "other_school", "own_district", "own", "self", "district_level"}
PERSONAS = [f"north.{role}" for role in ROLES]


@pytest.fixture(scope="module", autouse=True)
def answers_on_record(matrix):
    """A family's answer for each student, so the audit log has children's answers to show."""
    place = matrix.world.places["north"]
    for student in (place.student, place.other_student):
        consent_services.consent_record(
            acting_user=place.personas["director"],
            student=student,
            scope=place.scope,
            decision="refused",
            received_on=datetime.date(2026, 11, 20),
        )


def student_names(matrix) -> list[str]:
    place = matrix.world.places["north"]
    return [place.student.last_name, place.other_student.last_name]


def shown(matrix, persona: str, method: str, url: str) -> tuple[bool, bool]:
    """(a student's name is in the answer, the privacy log grew), nothing kept."""
    client = matrix.client(persona)
    with transaction.atomic():
        before = ListViewLog.objects.count()
        response = client.get(url) if method == GET else client.post(url, {})
        body = b"".join(response.streaming_content) if response.streaming else response.content
        logged = ListViewLog.objects.count() > before
        transaction.set_rollback(True)
    text = body.decode("utf-8", "replace")
    return any(name in text for name in student_names(matrix)), logged


@pytest.mark.parametrize("row", [row for row in PAGES if not row.startswith("account_")])
def test_every_page_showing_a_student_logs_the_view(matrix, row):
    spec = PAGES[row]
    unlogged = []
    for variant in spec.variants:
        if variant not in OWN_DISTRICT_VARIANTS:
            continue
        for persona in PERSONAS:
            names_a_student, logged = shown(matrix, persona, spec.method, url_of(matrix, row, spec, variant, persona))
            if names_a_student and not logged and row.split(" [")[0] not in NAMES_WITHOUT_CONSENT_STATUS:
                unlogged.append(f"{row} | {variant} | {persona}")
    assert not unlogged, "pages that show a student's consent status without logging it:\n" + "\n".join(unlogged)


def test_the_list_of_pages_without_consent_status_is_still_true(matrix):
    """The exceptions above really show no consent status: no decision's wording appears on them."""
    for row in NAMES_WITHOUT_CONSENT_STATUS:
        spec = PAGES[row]
        variant = next(iter(spec.variants))
        client = matrix.client("north.director")
        body = client.get(url_of(matrix, row, spec, variant, "north.director")).content.decode()
        assert "May not be posted" not in body and "Consent given" not in body and "Refused" not in body
