"""The rollout walkthrough (issue 30): an empty installation driven through a district's whole setup
in a real browser, by its operator and then its technology director, counting the pages the director
opened and the clicks and keystrokes they needed, and timing the system's own work (the roster
import, the invitations, the families' links). Used at a small size in CI (tests/browser) and at
10,000 staff and 100,000 students in `make bench` (tests/perf)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tests.accounts.bundles import ORG_HEADER, USER_HEADER_11, manifest

DIRECTOR_EMAIL = "director@rollout.example.org"
PASSWORD = "a-long-rollout-password-2026"
GRADES = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"]


def write_bundle(folder: Path, *, schools: int, staff: int, students: int) -> Path:
    """A OneRoster 1.1 zip of realistic shape: the director among the staff, one parent per student
    (one family in seven Spanish-speaking, one in ten without e-mail), supervisors for everyone."""
    folder.mkdir(parents=True, exist_ok=True)
    users = io.StringIO()
    writer = csv.writer(users)
    writer.writerow([*USER_HEADER_11, "metadata.preferredLanguage", "metadata.supervisorSourcedId"])

    def row(sid: str, orgs: str, role: str, given: str, family: str, ident: str, email: str, **extra: str) -> None:
        writer.writerow(
            [sid, "active", "2026-08-01T00:00:00Z", "true", orgs, role, sid, "", given, family, "", ident, email,
             "", extra.get("phone", ""), extra.get("agents", ""), extra.get("grade", ""), "",
             extra.get("language", ""), extra.get("supervisor", "")]
        )  # fmt: skip

    row("staff-0", "district-1", "administrator", "Robin", "Director", "E0000000", DIRECTOR_EMAIL)
    for n in range(1, staff):
        school = n % schools
        supervisor = f"staff-{school + 1}" if n > schools else "staff-0"  # the first of each school leads it
        row(f"staff-{n}", f"school-{school}", "teacher", f"Given{n}", f"Family{n}", f"E{n:07d}",
            f"staff{n}@rollout.example.org", supervisor=supervisor)  # fmt: skip
    for n in range(students):
        row(f"student-{n}", f"school-{n % schools}", "student", f"Kid{n}", f"Surname{n % 5000}", f"{n:08d}", "",
            grade=GRADES[n % 13])  # fmt: skip
    for n in range(students):
        email = "" if n % 10 == 3 else f"parent{n}@home.example.org"
        row(f"parent-{n}", "", "parent", f"Parent{n}", f"Surname{n % 5000}", "", email, phone="+1 555 0100",
            agents=f"student-{n}", language="es" if n % 7 == 1 else "en")  # fmt: skip
    orgs = io.StringIO()
    org_writer = csv.writer(orgs)
    org_writer.writerow(ORG_HEADER)
    org_writer.writerow(["district-1", "active", "2026-08-01T00:00:00Z", "Rollout District", "district", "", ""])
    for n in range(schools):
        org_writer.writerow(
            [f"school-{n}", "active", "2026-08-01T00:00:00Z", f"School {n}", "school", f"{100 + n}", "district-1"]
        )
    path = folder / "roster.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.csv", manifest("1.1"))
        bundle.writestr("orgs.csv", orgs.getvalue())
        bundle.writestr("users.csv", users.getvalue())
    return path


@dataclass
class Tally:
    """What a person did: pages their browser loaded, clicks, and fields they typed or chose in."""

    pages: int = 0
    clicks: int = 0
    entries: int = 0
    system_seconds: dict[str, float] = field(default_factory=dict)

    def watch(self, page: Page) -> Page:
        page.on("load", lambda _: self._loaded())
        return page

    def _loaded(self) -> None:
        self.pages += 1

    def click(self, target: Locator) -> None:
        self.clicks += 1
        target.click()

    def fill(self, target: Locator, value: str) -> None:
        self.entries += 1
        target.fill(value)

    def choose(self, target: Locator, **option: str) -> None:
        self.entries += 1
        target.select_option(**option)

    def check(self, target: Locator) -> None:
        self.clicks += 1
        target.check()

    def timed(self, what: str, target: Locator) -> None:
        """A click that sets the system to work; the time until the next page is its work."""
        started = time.perf_counter()
        self.click(target)
        target.page.wait_for_load_state("load")
        self.system_seconds[what] = self.system_seconds.get(what, 0.0) + time.perf_counter() - started


def last_link(pattern: str) -> str:
    """The newest link matching `pattern` in the mail the system sent."""
    for message in reversed(mail.outbox):
        found = re.search(pattern, message.body)
        if found:
            return found.group(0)
    raise AssertionError(f"no e-mail with a link like {pattern}")


def director_sets_up(
    page: Page, tally: Tally, *, bundle: Path, slug: str, base_url: str, patience_ms: int = 60_000
) -> None:
    """The director, from the invitation to a district ready for the school year (sign-in with the
    district's own provider aside: that needs the district's Google or Microsoft, tested elsewhere)."""
    tally.watch(page)
    # The invitation names the sign-in page; "First time here?" sets a password by e-mail.
    page.goto(base_url + "/account/login/")
    tally.click(page.get_by_role("link", name=re.compile("First time here")))
    tally.fill(page.get_by_label("Email"), DIRECTOR_EMAIL)
    tally.click(page.get_by_role("button", name=re.compile("Reset|Send", re.I)))
    page.goto(last_link(r"http\S+/account/password/reset/key/\S+"))
    tally.fill(page.locator("input[name=password1]"), PASSWORD)
    tally.fill(page.locator("input[name=password2]"), PASSWORD)
    tally.click(page.get_by_role("button", name="Save password"))
    page.goto(base_url + "/account/login/")
    tally.fill(page.get_by_label("Email"), DIRECTOR_EMAIL)
    tally.fill(page.get_by_label("Password"), PASSWORD)
    tally.click(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name=re.compile("^Set up "))).to_be_visible()

    # 1. The policy profile, started from the seed policy: read and saved as it is.
    tally.click(page.get_by_role("link", name="Review the policy profile and attach the policy"))
    tally.click(page.get_by_role("button", name=re.compile("Save")))
    page.goto(f"{base_url}/setup/districts/{slug}/")
    tally.pages -= 1  # the checklist again, as the home page would show it

    # 2. The roster: a dry run first, then applied.
    tally.click(page.get_by_role("link", name="Connect the roster and apply a first import"))
    page.get_by_label(re.compile("OneRoster bundle")).set_input_files(str(bundle))
    tally.entries += 1
    tally.timed("roster dry run", page.get_by_role("button", name="Upload"))
    expect(page.get_by_role("button", name="Apply this preview")).to_be_visible(timeout=patience_ms)
    tally.timed("roster import", page.get_by_role("button", name="Apply this preview"))
    expect(page.get_by_text(re.compile(r"Imported [\d,]+ rows"))).to_be_visible(timeout=patience_ms)

    # 3. The questions families are asked: each looked at; one saved with its Spanish.
    page.goto(f"{base_url}/setup/districts/{slug}/")
    tally.click(page.get_by_role("link", name="Review the questions families are asked"))
    row = page.get_by_role("row", name=re.compile("District and school social media"))
    tally.click(row.get_by_role("link", name="Edit"))
    tally.fill(page.get_by_label(re.compile("in Spanish")), "Fotos en las redes sociales del distrito.")
    tally.click(page.get_by_role("button", name=re.compile("Save")))

    # 4. This school year's disclosures, where the policy asks for them.
    page.goto(f"{base_url}/setup/districts/{slug}/")
    disclosures = page.get_by_role("link", name="Open this school year's disclosures")
    if disclosures.count():
        tally.click(disclosures)
        today = datetime.date.today()
        tally.fill(page.get_by_label("Opens on"), today.isoformat())
        tally.fill(page.get_by_label("Due on"), (today + datetime.timedelta(days=60)).isoformat())
        tally.click(page.get_by_role("button", name="Save"))

    # 5. Everyone invited at once.
    page.goto(f"{base_url}/setup/districts/{slug}/")
    tally.click(page.get_by_role("link", name="Invite your staff"))
    tally.timed("invitations", page.get_by_role("button", name=re.compile("Invite everyone who never signed in")))

    # 6. The families' links, school by school.
    page.goto(f"{base_url}/setup/districts/{slug}/")
    tally.click(page.get_by_role("link", name="Send families their consent links"))
    options = page.get_by_label("School", exact=True).locator("option").all_inner_texts()
    for school in [name for name in options if name.startswith("School ")]:
        tally.choose(page.get_by_label("School", exact=True), label=school)
        tally.click(page.get_by_role("button", name="Show"))
        tally.timed("families' links", page.get_by_role("button", name="E-mail the links"))
    page.goto(f"{base_url}/setup/districts/{slug}/")
