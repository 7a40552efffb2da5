"""What a principal's weekly digest and the start-of-year consent reminder say about one school.
Everything is counted in the database by the domain apps' selectors; this module only gathers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse

from accounts.models import DisclosureRecipient, Membership, Role, School
from accounts.selectors import school_staff
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from consent import selectors as consent_selectors
from disclosures import selectors as disclosure_selectors
from disclosures.access import enabled as disclosures_enabled
from registry import selectors as registry_selectors
from registry.models import SocialAccount


@dataclass(frozen=True)
class Line:
    label: str
    count: int
    path: str


def consent_to_collect(school: School, today: datetime.date) -> list[Line]:
    """Students of the school with no answer that counts yet, per picture scope."""
    students = consent_selectors.school_students(school)
    lines = []
    for scope in consent_selectors.active_scopes(school.district):
        count = consent_selectors.coverage(students, scope, today).no_answer
        if count:
            path = reverse("consent:no_answer", args=[school.pk]) + f"?scope={scope.pk}"
            lines.append(Line(f"Students with no answer for “{scope.name}”", count, path))
    return lines


def school_outstanding(school: School, today: datetime.date) -> list[Line]:
    """Everything outstanding in a school, most urgent first: one line per kind of thing."""
    district = school.district
    accounts = SocialAccount.objects.filter(school=school)
    lines = [
        Line("Official accounts short of administrators", registry_selectors.below_minimum(accounts, today).count(),
             reverse("registry:account_list") + f"?school={school.pk}"),
        Line("Official accounts with an overdue review", registry_selectors.review_overdue(accounts, today).count(),
             reverse("registry:account_list") + f"?school={school.pk}"),
        Line("Official accounts waiting for approval", registry_selectors.awaiting_approval(accounts).count(),
             reverse("registry:account_list") + f"?school={school.pk}"),
    ]  # fmt: skip
    authorizations = Authorization.objects.filter(program__school=school)
    lines.append(
        Line(
            "Authorizations to use a tool still missing families' consent",
            authorization_selectors.authorizations_not_ready(authorizations, today).count(),
            reverse("authorizations:list"),
        )
    )
    cycle = disclosure_selectors.cycle_for_year(district, today) if disclosures_enabled(district) else None
    if cycle is not None and cycle.opens_on <= today and district.disclosure_recipient != DisclosureRecipient.DISTRICT:
        staff = school_staff(school)
        late = disclosure_selectors.late(cycle, today).filter(pk__in=staff.values("pk")).count()
        lines.append(Line("Staff whose disclosure is late", late, reverse("disclosures:cycle_detail", args=[cycle.pk])))
    lines.extend(consent_to_collect(school, today))
    return [line for line in lines if line.count]


def principals_of(school: School) -> list[int]:
    return list(
        Membership.objects.filter(school=school, role=Role.PRINCIPAL, ended_on__isnull=True, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
