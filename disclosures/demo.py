"""Demo disclosures for the demo districts whose policy requires them: last school year's cycle,
filed and accepted (so this year's drafts carry networks forward), and this year's cycle with
filings in every state a reviewer meets. Loading twice changes nothing: a district that already
has this school year's cycle is left alone.

Everything is filed through the services, as people would. Services stamp the real clock, but a
demo must show a year of history; the clock-travel library is a test-only dependency and `make
run` installs runtime dependencies only. So each step runs now and is then moved back to the
day it belongs to (`_dated`): the timestamps of the rows that step wrote, its history, and the
late flag, which follows from when a first filing was made. Never a state.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from accounts.demo import PROFILES
from accounts.models import (
    DisclosureRecipient,
    District,
    Membership,
    Program,
    ProgramKind,
    Role,
    School,
    SchoolYear,
    User,
)
from accounts.services import staff_employment_update
from disclosures import services
from disclosures.models import (
    DisclosedNetwork,
    Disclosure,
    DisclosureComment,
    DisclosureCycle,
    NetworkPart,
    NetworkPlatform,
    NetworkRunBy,
    StudentMembership,
)


@dataclass(frozen=True)
class Net:
    """A network someone takes part in. `{town}`, `{slug}`, `{school}` and `{class_of}` are filled in;
    `program` is the club or team of the person's school it relates to."""

    platform: str
    name: str
    run_by: str
    part: str
    students: str = StudentMembership.UNKNOWN
    url: str = ""
    program: str = ""
    at_school: bool = False


ROBOTICS_PARENTS = Net(
    NetworkPlatform.FACEBOOK,
    "{town} Robotics Parents",
    NetworkRunBy.PARENTS,
    NetworkPart.MEMBER,
    StudentMembership.NO,
    "https://www.facebook.com/groups/{slug}roboticsparents",
    program=ProgramKind.CLUB,
)
# The advisor helps run the parents' group; last year's filing left out its address and students.
ROBOTICS_PARENTS_MODERATOR = Net(
    NetworkPlatform.FACEBOOK,
    "{town} Robotics Parents",
    NetworkRunBy.PARENTS,
    NetworkPart.MODERATOR,
    program=ProgramKind.CLUB,
)
CLASS_OF = Net(
    NetworkPlatform.INSTAGRAM,
    "Class of {class_of}",
    NetworkRunBy.STUDENT_GROUP,
    NetworkPart.FOLLOWER,
    StudentMembership.YES,
    "https://www.instagram.com/{slug}classof{class_of}/",
    at_school=True,
)
CROSS_COUNTRY = Net(
    NetworkPlatform.GROUPME,
    "{town} Cross-Country",
    NetworkRunBy.STUDENT_GROUP,
    NetworkPart.MODERATOR,
    StudentMembership.YES,
    at_school=True,
)
TEAM_PARENTS = Net(
    NetworkPlatform.FACEBOOK,
    "{town} Soccer Parents",
    NetworkRunBy.PARENTS,
    NetworkPart.MEMBER,
    StudentMembership.NO,
    "https://www.facebook.com/groups/{slug}soccerparents",
    program=ProgramKind.TEAM,
)
BOOSTERS = Net(
    NetworkPlatform.FACEBOOK,
    "{town} Booster Club",
    NetworkRunBy.PARENTS,
    NetworkPart.MEMBER,
    StudentMembership.NO,
    "https://www.facebook.com/{slug}boosters",
)
COMMUNITY_FORUM = Net(
    NetworkPlatform.FACEBOOK,
    "{town} Community Forum",
    NetworkRunBy.PUBLIC,
    NetworkPart.MEMBER,
    StudentMembership.UNKNOWN,
    "https://www.facebook.com/groups/{slug}community",
)
AREA_SPORTS = Net(
    NetworkPlatform.X, "{town} Area Sports Talk", NetworkRunBy.PUBLIC, NetworkPart.FOLLOWER, StudentMembership.UNKNOWN
)
PTO = Net(
    NetworkPlatform.FACEBOOK,
    "{school} PTO",
    NetworkRunBy.PARENTS,
    NetworkPart.MEMBER,
    StudentMembership.NO,
    "https://www.facebook.com/groups/{school}pto",
    at_school=True,
)
# Filed first without saying whether students are in it: the principal sends it back.
PTO_UNSURE = Net(NetworkPlatform.FACEBOOK, "{school} PTO", NetworkRunBy.PARENTS, NetworkPart.MEMBER, at_school=True)
CHAPERONES = Net(
    NetworkPlatform.WHATSAPP,
    "{school} Field Trip Chaperones",
    NetworkRunBy.PARENTS,
    NetworkPart.MEMBER,
    StudentMembership.NO,
    at_school=True,
)


@dataclass(frozen=True)
class Story:
    """One person's two years. `last_year`: the networks filed and accepted (empty: none; None:
    did not file). `now`: this year's outcome; `adds`: networks added to what is carried forward."""

    local: str
    last_year: tuple[Net, ...] | None
    now: str
    adds: tuple[Net, ...] = ()
    last_year_late: bool = False


NOT_STARTED, DRAFT, SUBMITTED, RETURNED, RESUBMITTED, ACCEPTED, LATE = (
    "not_started",
    "draft",
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
    "late",
)

STORIES = [
    Story("director", (), ACCEPTED),
    Story("superintendent", (COMMUNITY_FORUM,), SUBMITTED),
    Story("communications", (AREA_SPORTS,), LATE, last_year_late=True),
    Story("principal.s1", (BOOSTERS,), ACCEPTED),
    Story("clerk.s1", (), ACCEPTED),
    # The demo teacher: last year's two networks wait to be carried forward when they sign in.
    Story("teacher1.s1", (ROBOTICS_PARENTS, CLASS_OF), NOT_STARTED),
    Story("teacher2.s1", (ROBOTICS_PARENTS_MODERATOR,), RETURNED),
    Story("teacher3.s1", (CLASS_OF,), DRAFT),
    Story("coach.s1", (CROSS_COUNTRY,), SUBMITTED, adds=(TEAM_PARENTS,)),
    Story("principal.s2", (PTO,), ACCEPTED),
    Story("teacher1.s2", (), RESUBMITTED, adds=(PTO_UNSURE,)),
    Story("teacher2.s2", (PTO,), ACCEPTED, adds=(CHAPERONES,)),
    Story("coach.s2", (), NOT_STARTED),
    Story("principal.s3", (), SUBMITTED),
    Story("clerk.s3", None, DRAFT, adds=(PTO,)),
]
RETURN_COMMENTS = {
    RETURNED: "You help run this group: please add its address and say whether students are members.",
    RESUBMITTED: "Please say whether students are members of the PTO group.",
}
NEW_HIRE = "teacher3.s2"  # started three weeks ago: due after the grace period, not with everyone
VETERANS = {"director": 12, "principal.s1": 8, "teacher1.s1": 4, "coach.s1": 2}  # years in the district


def _first_of_month(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1)


def _window(year: SchoolYear, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Opens a month into the school year and is due three months later. This year's window is
    drawn earlier when need be, so that it has opened and its due date is a week past."""
    opens = _first_of_month(year.starts_on, 1)
    due = _first_of_month(opens, 3)
    if year.contains(today):
        due = max(year.starts_on, min(due, today - datetime.timedelta(days=7)))
        opens = max(year.starts_on, min(opens, due - datetime.timedelta(days=30)))
    return opens, due


def _at(day: datetime.date, hour: int, not_before: datetime.datetime | None = None) -> datetime.datetime:
    """`hour` o'clock on `day`, never in the future and never before `not_before`."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    moment = min(moment, timezone.now() - datetime.timedelta(minutes=1))
    return max(moment, not_before) if not_before else moment


STAMPED = ("created_at", "updated_at", "signed_at", "submitted_at", "decided_at", "superseded_at")


def _move(since: datetime.datetime, moment: datetime.datetime, cycle: DisclosureCycle, employee: User | None) -> None:
    """Date what was written about `cycle` (or `employee`'s filing for it) since `since` at `moment`."""
    # update() on audited rows writes no history on purpose: it moves the rows and their history rows
    # alike into the demo's past, which is not a change anybody made.
    if moment >= since:
        return
    if employee is None:
        DisclosureCycle.objects.filter(pk=cycle.pk, created_at__gte=since).update(created_at=moment)
        DisclosureCycle.history.filter(id=cycle.pk, history_date__gte=since).update(history_date=moment)
        return
    versions = Disclosure.objects.filter(cycle=cycle, employee=employee)
    history = Disclosure.history.filter(cycle=cycle, employee=employee)
    moved = {name: Case(When(**{f"{name}__gte": since}, then=Value(moment)), default=F(name)) for name in STAMPED}
    versions.filter(updated_at__gte=since).update(**moved)
    history.filter(history_date__gte=since).update(**moved, history_date=Value(moment))
    DisclosedNetwork.history.filter(disclosure_id__in=versions.values("pk"), history_date__gte=since).update(
        history_date=moment
    )
    DisclosureComment.objects.filter(disclosure__in=versions, created_at__gte=since).update(created_at=moment)
    # A first filing is late when it was made after the person's due date (an amendment keeps
    # the flag of the filing it replaces, which an earlier step has already set right).
    late = timezone.localdate(moment) > cycle.due_on_for(employee.started_on)
    for rows in (versions, history):
        rows.filter(amends__isnull=True, submitted_at=moment).update(filed_late=late)


@contextmanager
def _dated(moment: datetime.datetime | None, cycle: DisclosureCycle, employee: User) -> Iterator[None]:
    """Run one step of `employee`'s filing, then date it at `moment` (None: leave it dated now)."""
    since = timezone.now()
    yield
    if moment is not None:
        _move(since, moment, cycle, employee)


class _District:
    """One demo district's people, and how their filings are made and reviewed."""

    def __init__(self, district: District, today: datetime.date) -> None:
        self.district = district
        self.today = today
        self.year = district.school_year_for(today)
        self.people = {
            user.email.split("@")[0]: user
            for user in User.objects.filter(
                district=district, is_active=True, email__endswith=f"@{district.slug}.example.org"
            )
        }
        self.director = self.people["director"]
        staff_posts = (
            Membership.objects.filter(district=district, school__isnull=False, ended_on__isnull=True, role=Role.STAFF)
            .select_related("school")
            .order_by("-pk")
        )
        # Every post has a school (by the filter); the later ones, of lower pk, win.
        self.schools: dict[int, School] = {
            membership.user_id: school for membership in staff_posts if (school := membership.school) is not None
        }
        self.fill = {
            "town": district.name.split()[0],
            "slug": district.slug,
            "class_of": self.year.start_year + 2,
        }

    # --- people ---------------------------------------------------------------------------

    def set_employment(self) -> None:
        supervisors = (
            self._supervisors() if self.district.disclosure_recipient == DisclosureRecipient.SUPERVISOR else {}
        )
        for local, user in sorted(self.people.items()):
            started_on = None
            if local in VETERANS:
                started_on = datetime.date(self.year.start_year - VETERANS[local], 8, 20)
            elif local == NEW_HIRE:
                started_on = self.today - datetime.timedelta(days=21)
            supervisor = supervisors.get(local)
            if started_on or supervisor:
                staff_employment_update(
                    acting_user=self.director, user=user, started_on=started_on, supervisor=supervisor
                )

    def _supervisors(self) -> dict[str, User]:
        """School staff report to their principal, except that the high school's first teacher
        leads a department; principals and the district office report to the superintendent."""
        chosen: dict[str, User] = {}
        for local in self.people:
            if local == "superintendent":
                continue
            tag = local.rpartition(".")[2] if "." in local else ""
            if local.startswith("principal.") or not tag:
                chosen[local] = self.people["superintendent"]
            elif local in ("teacher2.s1", "teacher3.s1", "coach.s1") and "teacher1.s1" in self.people:
                chosen[local] = self.people["teacher1.s1"]
            elif f"principal.{tag}" in self.people:
                chosen[local] = self.people[f"principal.{tag}"]
        return chosen

    def reviewer(self, employee: User) -> User:
        """Someone the policy sends this person's disclosure to."""
        recipient = self.district.disclosure_recipient
        if recipient == DisclosureRecipient.SUPERVISOR and employee.supervisor is not None:
            return employee.supervisor
        local = employee.email.split("@")[0]
        principal = self.people.get(f"principal.{local.rpartition('.')[2]}") if "." in local else None
        if recipient != DisclosureRecipient.DISTRICT and principal is not None and principal != employee:
            return principal
        return self.director if employee != self.director else self.people["superintendent"]

    # --- filing ---------------------------------------------------------------------------

    def network_values(self, net: Net, employee: User) -> dict[str, Any]:
        school = self.schools.get(employee.pk)
        fill = {**self.fill, "school": school.name if school else self.fill["town"]}
        program = None
        if net.program and school is not None:
            program = Program.objects.filter(school=school, kind=net.program, active=True).order_by("pk").first()
        return {
            "platform": net.platform,
            "name": net.name.format(**fill),
            "url": net.url.format(**fill).replace(" ", "").lower(),
            "school": school if (net.at_school or program) else None,
            "program": program,
            "run_by": net.run_by,
            "part": net.part,
            "students_are_members": net.students,
        }

    def file(
        self,
        cycle: DisclosureCycle,
        employee: User,
        networks: tuple[Net, ...],
        on: datetime.datetime | None,
        *,
        submit: bool = True,
    ) -> Disclosure:
        """Start (confirming what was carried forward), list `networks` or none, sign and submit."""
        with _dated(on, cycle, employee):
            draft = services.disclosure_start(acting_user=employee, cycle=cycle)
            if submit:
                for carried in draft.networks.filter(confirmed=False):
                    services.network_confirm(acting_user=employee, network=carried)
            for net in networks:
                services.network_add(acting_user=employee, disclosure=draft, **self.network_values(net, employee))
            if submit and not draft.networks.exists():
                services.disclosure_set_none(acting_user=employee, disclosure=draft, takes_part_in_none=True)
        if not submit:
            return draft
        with _dated(on, cycle, employee):
            services.disclosure_submit(
                acting_user=employee,
                disclosure=draft,
                signed_name=employee.full_name,
                signed_hash=cycle.attestation_hash,
            )
        return draft

    def review(
        self, cycle: DisclosureCycle, disclosure: Disclosure, on: datetime.datetime | None, comment: str = ""
    ) -> Disclosure:
        reviewer = self.reviewer(disclosure.employee)
        with _dated(on, cycle, disclosure.employee):
            if comment:
                return services.disclosure_return(acting_user=reviewer, disclosure=disclosure, comment=comment)
            return services.disclosure_accept(acting_user=reviewer, disclosure=disclosure)

    # --- the two years --------------------------------------------------------------------

    def open_cycle(self, year: SchoolYear) -> DisclosureCycle:
        opens_on, due_on = _window(year, self.today)
        since = timezone.now()
        cycle = services.disclosure_cycle_create(
            acting_user=self.director,
            district=self.district,
            school_year_start=year.start_year,
            opens_on=opens_on,
            due_on=due_on,
        )
        _move(since, _at(opens_on - datetime.timedelta(days=14), 9), cycle, None)
        return cycle

    def last_year(self, cycle: DisclosureCycle) -> None:
        """Everyone who worked here filed, and every filing was accepted (one of them late)."""
        stories = {story.local: story for story in STORIES}
        people = sorted(self.people.items())
        window = cycle.due_on - cycle.opens_on
        for index, (local, employee) in enumerate(people):
            story = stories.get(local)
            if (story and story.last_year is None) or (employee.started_on and employee.started_on > cycle.opens_on):
                continue
            if story and story.last_year_late:
                day = cycle.due_on + datetime.timedelta(days=9)
            else:
                day = cycle.opens_on + window * (index + 1) / (len(people) + 1)
            filed = _at(day, 10)
            nets = story.last_year if story and story.last_year is not None else ()
            disclosure = self.file(cycle, employee, nets, filed)
            self.review(cycle, disclosure, _at(day + datetime.timedelta(days=5), 14, not_before=filed))

    def this_year(self, cycle: DisclosureCycle) -> None:
        window = cycle.due_on - cycle.opens_on
        for index, story in enumerate(STORIES):
            employee = self.people.get(story.local)
            if employee is None or story.now == NOT_STARTED:
                continue
            day = cycle.opens_on + window * (index + 1) / (len(STORIES) + 1)
            filed = _at(day, 10)
            reviewed = _at(day + datetime.timedelta(days=4), 14, not_before=filed)
            if story.now == DRAFT:
                self.file(cycle, employee, story.adds, filed, submit=False)
                continue
            if story.now == LATE:  # filed today, after the due date: the service marks it late
                self.file(cycle, employee, story.adds, None)
                continue
            disclosure = self.file(cycle, employee, story.adds, filed)
            if story.now == ACCEPTED:
                self.review(cycle, disclosure, reviewed)
            elif story.now in (RETURNED, RESUBMITTED):
                self.review(cycle, disclosure, reviewed, RETURN_COMMENTS[story.now])
            if story.now == RESUBMITTED:
                self.revise(cycle, disclosure, _at(day + datetime.timedelta(days=6), 9, not_before=reviewed))

    def revise(self, cycle: DisclosureCycle, disclosure: Disclosure, on: datetime.datetime) -> None:
        """Answer the reviewer: say whether students are members, and file again."""
        employee = disclosure.employee
        answer = self.network_values(PTO, employee)
        with _dated(on, cycle, employee):
            draft = services.disclosure_amend(acting_user=employee, disclosure=disclosure)
            for network in draft.networks.filter(students_are_members=StudentMembership.UNKNOWN):
                services.network_update(
                    acting_user=employee,
                    network=network,
                    students_are_members=answer["students_are_members"],
                    url=answer["url"],
                )
            services.disclosure_submit(
                acting_user=employee,
                disclosure=draft,
                signed_name=employee.full_name,
                signed_hash=cycle.attestation_hash,
            )


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    districts = District.objects.filter(slug__in=[profile["slug"] for profile in PROFILES], disclosure_required=True)
    for district in districts.order_by("pk"):
        year = district.school_year_for(today)
        if DisclosureCycle.objects.filter(district=district, school_year_start=year.start_year).exists():
            continue
        demo = _District(district, today)
        demo.set_employment()
        if not DisclosureCycle.objects.filter(district=district, school_year_start=year.start_year - 1).exists():
            demo.last_year(demo.open_cycle(year.previous()))
        demo.this_year(demo.open_cycle(year))
