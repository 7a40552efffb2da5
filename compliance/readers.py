"""What the person reading a list may do about what it holds: a step is offered only to someone who
can take it. Each flag asks the access rule of the app that owns the action, so a list never offers
what the page behind it would refuse."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import access as accounts_access
from accounts.access import scope_for
from accounts.models import District, Role, School, User
from consent import access as consent_access
from disclosures import access as disclosure_access
from registry.access import ACCOUNT_DECIDERS


@dataclass(frozen=True)
class Reader:
    """What a reader may act on at one school (or, for `at_district`, across the district)."""

    names_administrators: bool = False  # designate administrators of official accounts
    reviews_accounts: bool = False  # re-certify accounts that are not their own
    decides_accounts: bool = False  # approve or refuse account requests
    confirms_communications: bool = False  # see pages before launch for the communications office
    follows_disclosures: bool = False  # receives the staff's disclosures and sees who is late
    opens_cycles: bool = False  # sets up the school year's disclosure cycle
    records_consent: bool = False  # enters families' answers for the school's students
    runs_directory: bool = False  # imports the roster, assigns principals (district-wide only)


def at_school(user: User, school: School) -> Reader:
    """The principal of the school, or district leadership looking at it."""
    scope = scope_for(user)
    leads = scope.is_superuser or scope.has_district_role(school.district_id, ACCOUNT_DECIDERS)
    principal = school.pk in scope.school_ids({Role.PRINCIPAL})
    return Reader(
        names_administrators=leads or principal,
        reviews_accounts=leads or principal,
        decides_accounts=leads,
        confirms_communications=scope.is_superuser
        or scope.has_district_role(school.district_id, {Role.COMMUNICATIONS}),
        follows_disclosures=disclosure_access.can_track(user, school.district),
        opens_cycles=disclosure_access.can_manage_cycles(user, school.district),
        records_consent=scope.is_superuser
        or scope.has_district_role(school.district_id, consent_access.RECORDERS_DISTRICT)
        or school.pk in scope.school_ids(consent_access.RECORDERS_SCHOOL),
    )


def at_district(user: User, district: District) -> Reader:
    """District leadership across all its schools."""
    scope = scope_for(user)
    leads = scope.is_superuser or scope.has_district_role(district.pk, ACCOUNT_DECIDERS)
    return Reader(
        names_administrators=leads,
        reviews_accounts=leads,
        decides_accounts=leads,
        confirms_communications=scope.is_superuser or scope.has_district_role(district.pk, {Role.COMMUNICATIONS}),
        follows_disclosures=disclosure_access.can_track(user, district),
        opens_cycles=disclosure_access.can_manage_cycles(user, district),
        records_consent=scope.is_superuser or scope.has_district_role(district.pk, consent_access.RECORDERS_DISTRICT),
        runs_directory=accounts_access.can_manage_directory(user, district),
    )
