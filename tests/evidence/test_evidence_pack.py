"""The evidence pack: a ZIP of a PDF report and CSVs proving a district follows its policy over a period,
built by a Celery task, downloaded through a page that checks who asks, logged, and deleted in time."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.demo import PROFILES as demo_profiles
from accounts.models import District, Role, Student, User
from audit.selectors import Period, audit_entries
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from compliance import measures
from consent import selectors as consent_selectors
from consent.models import ListKind, ListViewLog
from disclosures import selectors as disclosure_selectors
from evidence import services, tasks
from evidence.models import EvidencePack, PackStatus
from evidence.pdf import local_only_fetcher
from evidence.sections import STUDENT_WITHHELD, cell
from registry import selectors as registry_selectors
from registry.models import SocialAccount
from reminders.models import Reminder
from tests.factories import ConsentRecordFactory, SocialAccountFactory, StudentFactory, staff_at
from tools import selectors as tool_selectors

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 21)
# Names no seed, persona or Faker draw could hold: if any is in the pack, a child was named.
CHILDREN = (("Zebulonia", "Quixtarvane"), ("Ondrejka", "Vhalmerstrom"), ("Pyrrhanel", "Oxbridgewick"))


def read_csv(bundle: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = bundle.read(name).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def pdf_text(bundle: zipfile.ZipFile) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(bundle.read("summary.pdf"))).pages)


@pytest.fixture
def demo(settings, tmp_path):
    """The Willmar demo district (Policy 460) with three children whose families answered this year."""
    every = demo_profiles[:]
    demo_profiles[:] = [profile for profile in every if profile["slug"] == "willmar"]  # one district is enough
    try:
        with time_machine.travel(NOW, tick=False):
            call_command("load_demo", stdout=io.StringIO())
    finally:
        demo_profiles[:] = every
    with time_machine.travel(NOW, tick=False):
        district = District.objects.get(slug="willmar")
        scope = consent_selectors.default_scope(consent_selectors.active_scopes(district))
        school = district.schools.filter(active=True).order_by("name").first()
        for first, last in CHILDREN:
            student = StudentFactory(school=school, first_name=first, last_name=last)
            ConsentRecordFactory(student=student, scope=scope, received_on=datetime.date(2026, 10, 1))
        director = User.objects.filter(memberships__district=district, memberships__role=Role.DIRECTOR).first()
        yield district, director


def build(district: District, director: User, **period: object) -> EvidencePack:
    with time_machine.travel(NOW, tick=False):
        pack = services.evidence_pack_request(acting_user=director, district=district, **period)  # type: ignore[arg-type]
        services.evidence_pack_build(pack.pk)
    pack.refresh_from_db()
    return pack


def test_it_builds_a_pack_whose_csvs_are_the_selectors_answers(demo):
    district, director = demo
    pack = build(district, director, school_year=2026)

    assert pack.status == PackStatus.READY and pack.progress == 100
    year = district.school_year_for(TODAY)
    assert (pack.first_day, pack.last_day) == (year.starts_on, year.ends_on)
    on = TODAY  # the year has not ended: standing figures are today's
    with zipfile.ZipFile(pack.stored_path) as bundle, time_machine.travel(NOW, tick=False):
        names = set(bundle.namelist())
        assert {"summary.pdf", "policy/profile.csv", "accounts/accounts.csv", "audit/audit_log.csv"} <= names

        # Official accounts: every account, with the registry's own administrator count and flags.
        accounts = registry_selectors.with_attention(SocialAccount.objects.filter(district=district), on)
        rows = read_csv(bundle, "accounts/accounts.csv")
        assert rows[0][0] == "Account"
        expected = sorted((a.display_name, cell(a.administrator_count), cell(a.is_below_minimum)) for a in accounts)
        assert sorted((r[0], r[13], r[14]) for r in rows[1:]) == expected
        assert (
            any(r[14] == "yes" for r in rows[1:])
            == registry_selectors.below_minimum(SocialAccount.objects.filter(district=district), on).exists()
        )

        # Disclosures by school: disclosures' tracking counts, school by school, and the district's total.
        cycle = disclosure_selectors.cycle_for_year(district, on)
        staff = disclosure_selectors.staff_who_must_file(cycle, on)
        by_school = disclosure_selectors.tracking_by_school(staff, cycle, district.schools.filter(active=True), on)
        rows = read_csv(bundle, "disclosures/by_school.csv")
        assert [r[:4] for r in rows[1:-1]] == [
            [row["school"].name, str(row["total"]), str(row["filed"]), str(row["not_started"])] for row in by_school
        ]
        totals = disclosure_selectors.tracking_totals(staff, cycle, on)
        assert rows[-1][1:3] == [str(totals["total"]), str(totals["filed"])]
        late = read_csv(bundle, "disclosures/late.csv")[1:]
        assert len(late) == totals["late"] + totals["filed_late"]

        # Consent: compliance's counts per school and scope, and nothing else.
        students = Student.objects.filter(district=district, active=True)
        expected_consent = []
        for scope in consent_selectors.active_scopes(district):
            counts = measures.consent_by(students, scope, on, "school")
            for school in district.schools.filter(active=True).order_by("name", "pk"):
                found = counts.get(school.pk, dict.fromkeys(measures.CONSENT_FIELDS, 0))
                expected_consent.append([scope.name, school.name, *(str(found[f]) for f in measures.CONSENT_FIELDS)])
        assert read_csv(bundle, "consent/coverage_by_school.csv")[1:] == expected_consent

        # Tools with their decisions and agreements; authorizations with their readiness.
        tools = tool_selectors.tools_of(district.pk)
        rows = read_csv(bundle, "tools/tools.csv")[1:]
        assert sorted(r[0] for r in rows) == sorted(tools.values_list("name", flat=True))
        overdue = set(tool_selectors.tool_reviews_overdue(tools, on).values_list("name", flat=True))
        assert {r[0] for r in rows if r[13] == "yes"} == overdue
        ready = authorization_selectors.with_readiness(Authorization.objects.filter(district=district), on)
        rows = read_csv(bundle, "authorizations/authorizations.csv")[1:]
        assert sorted((r[0], r[11], r[12], r[13]) for r in rows) == sorted(
            (a.tool.name, str(a.enrolled), str(a.covered), cell(a.is_ready)) for a in ready
        )

        # Reminders and the audit log of the period, row for row.
        period = Period(pack.first_day, pack.last_day)
        reminders = Reminder.objects.filter(
            district=district, planned_at__gte=period.since, planned_at__lt=period.until
        )
        assert len(read_csv(bundle, "reminders/reminders.csv")) - 1 == reminders.count()
        entries = list(audit_entries(district, period))
        rows = read_csv(bundle, "audit/audit_log.csv")[1:]
        assert [r[4] for r in rows] == [e.kind for e in entries]
        assert sum(r[5] == STUDENT_WITHHELD for r in rows) == sum(e.kind == "Consent answer" for e in entries) >= 3

        # Each section quotes the policy it evidences: Policy 460 and its profile's own words.
        text = pdf_text(bundle)
    assert "Policy 460 Social Media" in text
    assert "Minimum administrators per account" in text
    assert "Contents" in text and "Page 2 of" in text
    assert_no_child_named(pack)


def assert_no_child_named(pack: EvidencePack) -> None:
    with zipfile.ZipFile(pack.stored_path) as bundle:
        texts = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist() if name.endswith(".csv")}
        texts["summary.pdf"] = pdf_text(bundle)
    everything = "\n".join(texts.values()).lower()
    # The children are in the pack's figures (their families' answers count) ...
    assert "consent answer" in everything
    # ... but not by name, nor by the student id that would name them to anyone with the SIS.
    for first, last in CHILDREN:
        assert first.lower() not in everything
        assert last.lower() not in everything
    for sis_id in Student.objects.filter(first_name__in=[f for f, _ in CHILDREN]).values_list("sis_id", flat=True):
        assert sis_id.lower() not in everything


def test_it_keeps_csv_cells_from_running_as_formulas(world):
    SocialAccountFactory(district=world.district, school=world.school, display_name='=HYPERLINK("http://x")')
    pack = build(world.district, world.director, school_year=2026)

    with zipfile.ZipFile(pack.stored_path) as bundle:
        rows = read_csv(bundle, "accounts/accounts.csv")[1:]
    assert rows and all(r[0] == '\'=HYPERLINK("http://x")' for r in rows)


def test_it_reports_progress_section_by_section(world, monkeypatch):
    district, director = world.district, world.director
    seen: list[tuple[int, str]] = []
    original = services._report

    def spy(pack: EvidencePack, progress: int, section: str) -> None:
        original(pack, progress, section)
        row = EvidencePack.objects.get(pk=pack.pk)
        seen.append((row.progress, row.section))

    monkeypatch.setattr(services, "_report", spy)
    with time_machine.travel(NOW, tick=False):
        pack = services.evidence_pack_request(acting_user=director, district=district, school_year=2026)
        assert pack.status == PackStatus.QUEUED
        tasks.build_evidence_pack.delay(pack.pk)

    assert [section for _, section in seen][:3] == [
        "The policy in force",
        "Official accounts",
        "Annual staff disclosures",
    ]
    assert [progress for progress, _ in seen] == sorted(progress for progress, _ in seen)
    assert seen[-1] == (88, "The PDF summary")
    pack.refresh_from_db()
    assert (pack.status, pack.progress) == (PackStatus.READY, 100)
    # Built once: a second delivery of the task finds it claimed and does nothing.
    assert services.evidence_pack_build(pack.pk) is None


def test_it_queues_the_build_when_the_request_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.evidence_pack_request(
            acting_user=world.director, district=world.district, start=TODAY - datetime.timedelta(days=30), end=TODAY
        )

    pack.refresh_from_db()
    assert pack.status == PackStatus.READY
    assert Path(pack.stored_path).is_file()


def test_it_logs_every_generation_and_every_download(world, client: Client):
    district, director = world.district, world.director
    pack = build(district, director, start=datetime.date(2026, 9, 1), end=TODAY)
    client.force_login(director)

    with time_machine.travel(NOW, tick=False):
        first = client.get(reverse("evidence:download", args=[pack.pk]))
        second = client.get(reverse("evidence:download", args=[pack.pk]))

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/zip"
    assert "attachment" in first["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(b"".join(first.streaming_content))).testzip() is None
    log = ListViewLog.objects.filter(district=district, user=director)
    assert log.filter(kind=ListKind.EVIDENCE_PACK).count() == 1
    assert log.filter(kind=ListKind.EVIDENCE_DOWNLOAD).count() == 2
    assert f"evidence pack {pack.pk}" in log.filter(kind=ListKind.EVIDENCE_DOWNLOAD).first().subject


@pytest.fixture
def world_pack(world):
    with time_machine.travel(NOW, tick=False):
        pack = services.evidence_pack_request(
            acting_user=world.director, district=world.district, start=datetime.date(2026, 11, 1), end=TODAY
        )
        services.evidence_pack_build(pack.pk)
    pack.refresh_from_db()
    return pack


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("director", 200),
        ("superintendent", 200),
        ("principal", 403),
        ("communications", 403),
        ("clerk", 403),
        ("staff", 403),
        ("foreign_director", 404),
        ("foreign_principal", 404),
    ],
)
def test_it_lets_only_the_districts_leadership_see_and_download_a_pack(world, world_pack, client, persona, status):
    client.force_login(world.persona(persona))

    with time_machine.travel(NOW, tick=False):
        answers = [
            client.get(reverse("evidence:list", args=[world.district.slug])).status_code,
            client.get(reverse("evidence:detail", args=[world_pack.pk])).status_code,
            client.get(reverse("evidence:download", args=[world_pack.pk])).status_code,
        ]

    assert answers == [status] * 3
    downloads = ListViewLog.objects.filter(kind=ListKind.EVIDENCE_DOWNLOAD)
    assert downloads.count() == (1 if status == 200 else 0)


def test_it_refuses_others_the_request_itself(world):
    for persona in ("principal", "staff", "foreign_director"):
        with pytest.raises(Exception) as refused:
            services.evidence_pack_request(
                acting_user=world.persona(persona), district=world.district, school_year=2026
            )
        assert refused.type.__name__ == "PermissionDenied"
    assert not EvidencePack.objects.exists()


def test_it_deletes_an_expired_pack_and_refuses_its_download(world, world_pack, client, settings):
    client.force_login(world.director)
    path = Path(world_pack.stored_path)
    later = NOW + datetime.timedelta(days=settings.EVIDENCE_PACK_KEEP_DAYS, minutes=1)

    with time_machine.travel(later, tick=False):
        # Past its time, the download is refused even before the cleanup has run.
        assert client.get(reverse("evidence:download", args=[world_pack.pk])).status_code == 404
        assert tasks.delete_expired_evidence_packs.delay().get() == 1

    world_pack.refresh_from_db()
    assert world_pack.status == PackStatus.EXPIRED and world_pack.stored_path == ""
    assert not path.exists()
    assert "deleted after its keeping time" in client.get(world_pack.get_absolute_url()).content.decode()


def test_it_keeps_a_pack_until_its_time(world, world_pack, settings):
    almost = NOW + datetime.timedelta(days=settings.EVIDENCE_PACK_KEEP_DAYS) - datetime.timedelta(minutes=1)
    with time_machine.travel(almost, tick=False):
        assert services.evidence_packs_delete_expired() == 0
    assert Path(world_pack.stored_path).is_file()


def test_it_refuses_a_period_longer_than_a_year_or_upside_down(world, client):
    client.force_login(world.director)
    url = reverse("evidence:list", args=[world.district.slug])

    with time_machine.travel(NOW, tick=False):
        too_long = client.post(url, {"school_year": "period", "start": "2025-01-01", "end": "2026-11-01"})
        backwards = client.post(url, {"school_year": "period", "start": "2026-11-01", "end": "2026-10-01"})

    assert too_long.status_code == backwards.status_code == 400
    assert "one school year at a time" in too_long.content.decode()
    assert "before the start date" in backwards.content.decode()
    assert not EvidencePack.objects.exists()


def test_the_pack_page_polls_while_building_and_reloads_when_done(world, client):
    client.force_login(world.director)
    pack = EvidencePack.objects.create(
        district=world.district,
        requested_by=world.director,
        first_day=datetime.date(2026, 8, 1),
        last_day=TODAY,
        status=PackStatus.BUILDING,
        progress=40,
        section="Annual staff disclosures",
    )
    url = reverse("evidence:detail", args=[pack.pk])

    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "Building: Annual staff disclosures" in fragment.content.decode()
    assert 'value="40"' in fragment.content.decode()

    EvidencePack.objects.filter(pk=pack.pk).update(status=PackStatus.READY)
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_the_district_page_links_the_leadership_to_the_packs(world, client):
    link = reverse("evidence:list", args=[world.district.slug])
    client.force_login(world.director)
    assert link in client.get(reverse("district_detail", args=[world.district.slug])).content.decode()
    client.force_login(world.principal)
    assert link not in client.get(reverse("district_detail", args=[world.district.slug])).content.decode()


def test_the_request_page_costs_the_same_queries_with_more_packs(world, client, django_assert_num_queries):
    client.force_login(world.director)
    url = reverse("evidence:list", args=[world.district.slug])
    EvidencePack.objects.create(district=world.district, requested_by=world.director, first_day=TODAY, last_day=TODAY)
    client.get(url)

    with django_assert_num_queries(5) as few:
        client.get(url)
    for _n in range(15):
        other = staff_at(world.school, Role.SUPERINTENDENT)
        EvidencePack.objects.create(district=world.district, requested_by=other, first_day=TODAY, last_day=TODAY)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_pdf_fetches_nothing_from_outside():
    fetcher = local_only_fetcher()

    for address in ("https://fonts.example.org/font.woff2", "http://127.0.0.1:9/logo.png", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(address)
    assert fetcher.fetch("data:text/plain,ok") is not None


def test_it_queues_again_a_pack_whose_worker_died(world):
    with time_machine.travel(NOW, tick=False):
        pack = services.evidence_pack_request(acting_user=world.director, district=world.district, school_year=2026)
    EvidencePack.objects.filter(pk=pack.pk).update(status=PackStatus.BUILDING, started_at=NOW, progress=30)

    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        assert services.evidence_packs_stalled() == []  # still building, as far as anyone knows
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        assert services.evidence_packs_stalled() == [pack.pk]
        tasks.delete_expired_evidence_packs.delay()

    pack.refresh_from_db()
    assert pack.status == PackStatus.READY
