"""The tracking list of a disclosure cycle as a reader filters it: the page, its CSV and reminding
several people at once all read it here, so "everything matching this filter" means one thing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from accounts.access import visible_schools
from accounts.models import School, User
from accounts.selectors import staff_search
from disclosures import access, selectors
from disclosures.forms import TrackingFilterForm
from disclosures.models import DisclosureCycle

FILTERS = ("school", "q", "category")


@dataclass(frozen=True)
class Tracked:
    form: TrackingFilterForm
    staff: QuerySet[User]  # everyone the reader follows who must file
    listed: QuerySet[Any]  # those the filter keeps, with their status, in the list's order
    schools: QuerySet[School]
    data: dict[str, Any]


def tracked(user: User, cycle: DisclosureCycle, query: QueryDict, today: datetime.date) -> Tracked:
    staff = selectors.staff_who_must_file(cycle, today).filter(pk__in=access.trackable_staff(user).values("pk"))
    schools = visible_schools(user).filter(district=cycle.district, active=True)
    form = TrackingFilterForm(query or None, schools=schools)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # a bad value drops its own filter only; the valid ones still apply
        data = form.cleaned_data
    listed = staff
    if data.get("school"):
        listed = listed.filter(memberships__school=data["school"], memberships__ended_on__isnull=True).distinct()
    if data.get("q"):
        listed = staff_search(listed, data["q"])
    listed = selectors.with_status(listed, cycle).order_by("last_name", "first_name", "pk")
    if data.get("category"):
        listed = listed.filter(selectors.CATEGORY_BY_KEY[data["category"]].condition(cycle, today))
    return Tracked(form=form, staff=staff, listed=listed, schools=schools, data=data)
