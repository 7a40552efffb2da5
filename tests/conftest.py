"""Persona fixtures: every role in one district (two schools), and a director next door; the day
every date rule is checked on."""

import datetime
from dataclasses import dataclass

import factory.random
import pytest
import time_machine
from django.utils import translation

from accounts.models import District, Role, School, User
from config.celery import app as celery_app
from tests.factories import DistrictFactory, SchoolFactory, StudentFactory, UserFactory, staff_at
from tests.real_services import (  # noqa: F401 - Redis, SMTP and worker fixtures, started only when asked for
    beat,
    oidc_provider,
    redis_server,
    services_directory,
    smtp_sink,
    worker,
    worker_environment,
)

TODAY = datetime.date(2026, 11, 21)


@pytest.fixture
def today():
    """Date rules are checked on a fixed day, whatever day the suite runs."""
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


@pytest.fixture
def on():
    """Travel to a day (at 3 p.m. UTC, as the `today` fixture does) inside a test."""

    def travel(day: datetime.date):
        return time_machine.travel(datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC), tick=False)

    return travel


@pytest.fixture(autouse=True)
def _same_names_every_run(request):
    """Factories draw the same names and values for a test on every run, whatever ran before it: a
    persona who happened to share a surname with a test's own student made tests fail one run in a
    few. Seeded from the test's id, so each test keeps its own data when tests are added or reordered."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Unit tests run tasks in-process; integration tests start a real worker instead."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _counts_live(settings):
    """Pages count on every request in tests (core/counted.py keeps them otherwise): a test that
    changes a row and reloads sees it, whatever an earlier test left in a shared cache."""
    settings.COUNTS_MAX_AGE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Spanish leaves Spanish active in the
    thread (LocaleMiddleware activates it and nothing deactivates it), so a later test calling
    gettext outside a request would read Spanish."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@dataclass
class World:
    district: District
    school: School
    other_school: School
    other_district: District
    foreign_school: School
    director: User
    superintendent: User
    communications: User
    principal: User
    clerk: User
    staff: User
    other_principal: User
    foreign_director: User
    foreign_principal: User

    def persona(self, name: str) -> User:
        return getattr(self, name)


@pytest.fixture
def world(db) -> World:
    district = DistrictFactory(slug="north", name="North District")
    other_district = DistrictFactory(slug="south", name="South District")
    school = SchoolFactory(district=district, name="North High")
    other_school = SchoolFactory(district=district, name="North Elementary")
    foreign_school = SchoolFactory(district=other_district, name="South High")
    return World(
        district=district,
        school=school,
        other_school=other_school,
        other_district=other_district,
        foreign_school=foreign_school,
        director=staff_at(school, Role.DIRECTOR, email="director@north.example.org"),
        superintendent=staff_at(school, Role.SUPERINTENDENT, email="superintendent@north.example.org"),
        communications=staff_at(school, Role.COMMUNICATIONS, email="communications@north.example.org"),
        principal=staff_at(school, Role.PRINCIPAL, email="principal@north.example.org"),
        clerk=staff_at(school, Role.CLERK, email="clerk@north.example.org"),
        staff=staff_at(school, Role.STAFF, email="teacher@north.example.org"),
        other_principal=staff_at(other_school, Role.PRINCIPAL, email="principal2@north.example.org"),
        foreign_director=staff_at(foreign_school, Role.DIRECTOR, email="director@south.example.org"),
        foreign_principal=staff_at(foreign_school, Role.PRINCIPAL, email="principal@south.example.org"),
    )


@pytest.fixture
def south_asks_for_no_disclosures(world):
    """South (the other district) asks for no disclosures, so nothing there is owed for a school year
    without its disclosure cycle: reminder counts are North's alone."""
    world.other_district.disclosure_required = False
    world.other_district.save()


@pytest.fixture
def students(world):
    """Three students in each school of the world."""
    return {
        "school": StudentFactory.create_batch(3, school=world.school),
        "other_school": StudentFactory.create_batch(3, school=world.other_school),
        "foreign_school": StudentFactory.create_batch(3, school=world.foreign_school),
    }


@pytest.fixture
def superuser(db):
    return UserFactory(district=None, is_superuser=True, is_staff=True, email="operator@example.org")


@pytest.fixture
def colleague(world):
    """Another staff member of the world's first school."""
    return staff_at(world.school, email="colleague@north.example.org")
