"""The lists people read: a school's, a district's and a person's own, each from compliance.obligations.

The school dashboard, the principal's weekly digest and the principal's home page all show
`school_list`; the district dashboard and the director's home page show `district_items`; everyone's
home page shows `own_sections`. Nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.models import District, Role, School, User
from compliance import measures, notions, obligations
from compliance.items import Checked, Item, ordered
from compliance.measures import SchoolMeasures
from compliance.notions import CycleToday
from compliance.obligations import Owed, Where
from compliance.readers import Reader
from consent.models import ConsentScope
from tools.access import decision_capacities, may_hold_reserved_powers
from tools.models import ApprovalPower


@dataclass(frozen=True)
class SchoolList:
    """A school's figures and what they ask of one reader."""

    school: School
    cycle: CycleToday
    scope: ConsentScope | None
    measures: SchoolMeasures
    items: list[Item]
    checked: list[Checked]


def school_list(school: School, reader: Reader, on: datetime.date) -> SchoolList:
    """The school's list for `reader` (a fixed number of queries, whatever the school's size)."""
    cycle = notions.cycle_today(school.district, on)
    scope = measures.main_scope(school.district)
    figures = measures.school_measures(school, on, cycle=cycle, scope=scope)
    where = Where(school.district, school, scope)
    return SchoolList(
        school=school,
        cycle=cycle,
        scope=scope,
        measures=figures,
        items=obligations.measure_items(figures, where=where, cycle=cycle, reader=reader, on=on),
        checked=obligations.measures_checked(figures, cycle, school.name),
    )


def district_items(
    district: District,
    totals: SchoolMeasures,
    *,
    cycle: CycleToday,
    scope: ConsentScope | None,
    reader: Reader,
    on: datetime.date,
) -> list[Item]:
    """The district's list for `reader`: what its totals ask, and the directory's upkeep for whoever
    runs it (seven more queries)."""
    items = obligations.measure_items(totals, where=Where(district, None, scope), cycle=cycle, reader=reader, on=on)
    if reader.runs_directory:
        items += obligations.directory_items(district)
        items += obligations.accounts_on_unapproved_networks(district)
        items += obligations.people_who_left(district)
        items += obligations.policy_items(district, on)
    return ordered(items)


@dataclass(frozen=True)
class Section:
    """One part of a home page: a heading, its items, what was checked, and where to see more."""

    key: str
    title: str
    items: list[Item]
    checked: list[Checked] = field(default_factory=list)
    link_label: str = ""
    link_url: str = ""


def _section(key: str, title: str, owed: Owed, **link: str) -> Section:
    return Section(key, title, ordered(owed.items), owed.checked, **link)


def own_owed(user: User, on: datetime.date) -> Owed:
    """What the person owes themselves: their disclosure, the accounts they administer, their classes
    (the "Yours" part of their home page, and what "Send now" reminds them of)."""
    district = user.district
    own = Owed()
    if district is not None:
        own.extend(obligations.own_disclosure(user, district, notions.cycle_today(district, on), on))
        own.extend(obligations.administered_accounts(user, district, on))
    own.extend(obligations.own_classes(user, on))
    return own


def own_sections(user: User, on: datetime.date) -> list[Section]:
    """What the person owes themselves, and what comes with their roles other than the dashboards'
    lists: decisions, pages to see before launch, consent forms (a fixed number of queries)."""
    district = user.district
    sections: list[Section] = []
    sections.append(_section("own", _("Yours"), own_owed(user, on)))
    sections.append(_section("requests", _("Your requests"), obligations.own_requests(user, on)))

    scope = scope_for(user)
    if district is not None:
        powers = (ApprovalPower.TOOLS, ApprovalPower.INSTRUCTIONAL_USE)
        if may_hold_reserved_powers(user, district) and any(
            decision_capacities(user, district, power) for power in powers
        ):
            sections.append(
                _section(
                    "decisions",
                    _("Decisions the policy reserves to you"),
                    obligations.decisions_waiting(user, district, on),
                )
            )
        if scope.has_district_role(district.pk, {Role.COMMUNICATIONS}):
            items = obligations.pages_before_launch(district)
            sections.append(
                Section(
                    "communications",
                    _("Communications office"),
                    items,
                    [] if items else [Checked(_("Pages waiting to be seen before launch"))],
                )
            )
    consent = obligations.consent_for_recorders(user, on)
    if consent.items or scope.school_ids({Role.CLERK}):
        sections.append(_section("consent", _("Families' answers"), consent))
    return sections


def dashboard_section(place: School | District, items: list[Item], checked: list[Checked]) -> Section:
    """A school's or a district's list on a home page, with the way to its dashboard."""
    if isinstance(place, School):
        title = _("At %(school)s") % {"school": place.name}
        link = (_("Open the school's dashboard"), reverse("dashboards:school", args=[place.pk]))
    else:
        title = _("Across %(district)s") % {"district": place.name}
        link = (_("Open the district dashboard"), reverse("dashboards:district", args=[place.slug]))
    key = f"{place._meta.model_name}:{place.pk}"
    return Section(key, title, items, checked, *link)
