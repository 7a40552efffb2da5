"""Every reminder the product sends: who is told, when, and with which template. One list, read
by the planner, the dry run and the director's page. Timing comes from each district's policy."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import District, Membership, Role, School, User
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from compliance import notions, obligations, readers
from compliance import selectors as compliance_selectors
from consent import selectors as consent_selectors
from disclosures import selectors as disclosure_selectors
from disclosures.models import Disclosure, DisclosureCycle
from registry import selectors as registry_selectors
from registry.models import SocialAccount
from tools import access as tool_access
from tools import selectors as tool_selectors
from tools.models import ApprovalPower

# How long after the school year starts clerks are told which consent forms to collect.
CONSENT_COLLECTION_DAYS = 21
DIGEST_WEEKDAY = 1  # Monday


@dataclass(frozen=True)
class Owed:
    """One e-mail the planner owes: to whom, about what, for which period, and where to act."""

    recipient_id: int | None
    object_key: str
    period: str
    path: str
    context: dict[str, Any] = field(default_factory=dict)
    guardian_id: int | None = None  # a family instead of a staff member (recipient_id None)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    who: str
    when: str
    template: str
    # Who is owed it today; None for a notice an action claims itself (core.notify).
    find: Callable[[District, datetime.date], Iterator[Owed]] | None
    # What the e-mail says about its subject to its recipient, read when it is sent; None means there
    # is nothing left to say (a digest with nothing outstanding, a request withdrawn meanwhile).
    context: Callable[[object, Any, datetime.date], dict[str, Any] | None] | None = None


def _open_cycle(district: District, today: datetime.date) -> DisclosureCycle | None:
    return notions.cycle_today(district, today).cycle


def _cycle_context(cycle: DisclosureCycle) -> dict[str, Any]:
    return {"cycle_id": cycle.pk}


def disclosure_due_soon(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per school year, the policy's number of days before each person's own due date."""
    cycle = _open_cycle(district, today)
    if cycle is None or district.reminder_days_before_due == 0:
        return
    first, last = today + datetime.timedelta(days=1), today + datetime.timedelta(days=district.reminder_days_before_due)
    staff = disclosure_selectors.not_filed(cycle, today).filter(cycle.due_between_q(first, last))
    for person_id in staff.values_list("pk", flat=True).iterator():
        yield Owed(person_id, f"disclosure_cycle:{cycle.pk}", f"{cycle.school_year_start}", reverse("disclosures:home"),
                   _cycle_context(cycle))  # fmt: skip


def disclosure_due_today(district: District, today: datetime.date) -> Iterator[Owed]:
    cycle = _open_cycle(district, today)
    if cycle is None:
        return
    staff = disclosure_selectors.due_within(cycle, today, 0)
    for person_id in staff.values_list("pk", flat=True).iterator():
        yield Owed(person_id, f"disclosure_cycle:{cycle.pk}", f"{cycle.school_year_start}", reverse("disclosures:home"),
                   _cycle_context(cycle))  # fmt: skip


def _round(days_past: int, interval: int) -> int:
    """Which repeat a reminder is: 0 on the first day past, 1 one interval later, and so on."""
    return (days_past - 1) // interval


def disclosure_late(district: District, today: datetime.date) -> Iterator[Owed]:
    """The day after each person's due date, then again every interval the policy sets."""
    cycle = _open_cycle(district, today)
    if cycle is None:
        return
    interval = district.overdue_reminder_interval_days
    for person_id, started_on in disclosure_selectors.late(cycle, today).values_list("pk", "started_on").iterator():
        days_late = (today - cycle.due_on_for(started_on)).days
        if days_late >= 1:
            period = f"{cycle.school_year_start}-late-{_round(days_late, interval)}"
            yield Owed(
                person_id, f"disclosure_cycle:{cycle.pk}", period, reverse("disclosures:home"), _cycle_context(cycle)
            )


def disclosure_reminder_now(
    cycle: DisclosureCycle, started_on: datetime.date | None, today: datetime.date
) -> tuple[str, str]:
    """The (kind, period) of the disclosure reminder a person owing a filing is due now, in the
    planner's own terms: this round's late reminder once their due date has passed, else the school
    year's reminder. Sent by hand, it takes the planner's row, so it is never sent twice."""
    days_late = (today - cycle.due_on_for(started_on)).days
    if days_late >= 1:
        interval = cycle.district.overdue_reminder_interval_days
        return "disclosure_late", f"{cycle.school_year_start}-late-{_round(days_late, interval)}"
    return "disclosure_due_soon", f"{cycle.school_year_start}"


def disclosure_cycle_missing(district: District, today: datetime.date) -> Iterator[Owed]:
    """From the first day of a school year the policy asks disclosures for but whose cycle nobody set
    up, to the directors, then again every interval the policy sets until it exists."""
    if not notions.cycle_today(district, today).missing:
        return
    year = district.school_year_for(today)
    repeat = _round((today - year.starts_on).days + 1, district.overdue_reminder_interval_days)
    path = reverse("disclosures:cycle_new", args=[district.slug])
    for director_id in _holders(district, Role.DIRECTOR).values_list("pk", flat=True):
        yield Owed(director_id, f"district:{district.pk}", f"{year.start_year}-missing-{repeat}", path)


def _cycle_missing_context(district: object, recipient: User, today: datetime.date) -> dict[str, Any] | None:
    if not isinstance(district, District) or not notions.cycle_today(district, today).missing:
        return None  # opened meanwhile
    return {"school_year": district.school_year_for(today)}


def disclosure_returned_context(disclosure: object, recipient: User, today: datetime.date) -> dict[str, Any] | None:
    """The comment meant for the employee (never a reviewer's internal note)."""
    if not isinstance(disclosure, Disclosure):
        return None
    return {"comment": disclosure_selectors.comment_for_employee(disclosure)}


def invitation_context(person: object, recipient: User, today: datetime.date) -> dict[str, object] | None:
    """How the invited person signs in, and what the district will ask of them."""
    if not isinstance(person, User) or not person.is_active or person.district is None:
        return None  # left before the invitation went out: nothing to say
    district = person.district
    return {
        "providers": account_selectors.sign_in_providers(),
        "password_sign_in": district.password_sign_in,
        "disclosure_required": district.disclosure_required,
        "administers": registry_selectors.current_administrators(today).filter(user=person).exists(),
    }


def _holders(district: District, *roles: str) -> QuerySet[User]:
    """Active staff holding one of `roles` district-wide."""
    ids = Membership.objects.filter(district=district, school__isnull=True, role__in=roles, ended_on__isnull=True)
    return User.objects.filter(pk__in=ids.values("user_id"), is_active=True)


def _administrators_of(accounts: QuerySet[SocialAccount], today: datetime.date) -> Iterator[tuple[int, int]]:
    current = registry_selectors.current_administrators(today).filter(account__in=accounts)
    yield from current.values_list("account_id", "user_id").iterator()


def account_review_due(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per review date, the policy's number of days before it, to the account's administrators."""
    accounts = registry_selectors.review_due_within(
        SocialAccount.objects.filter(district=district), district.reminder_days_before_due, today
    )
    dates = dict(accounts.values_list("pk", "next_review_on"))
    for account_id, user_id in _administrators_of(accounts, today):
        yield Owed(user_id, f"account:{account_id}", f"review-{dates[account_id]}",
                   reverse("registry:account_review", args=[account_id]))  # fmt: skip


def account_review_overdue(district: District, today: datetime.date) -> Iterator[Owed]:
    """The day after the review date, then every interval, to the administrators; after one full
    interval with no review, the director is told too."""
    accounts = registry_selectors.review_overdue(SocialAccount.objects.filter(district=district), today)
    # Overdue accounts all have a review date (the column itself may be empty).
    dates = {pk: due for pk, due in accounts.values_list("pk", "next_review_on") if due is not None}
    interval = district.overdue_reminder_interval_days
    for account_id, user_id in _administrators_of(accounts, today):
        late = (today - dates[account_id]).days
        yield Owed(user_id, f"account:{account_id}", f"review-{dates[account_id]}-late-{_round(late, interval)}",
                   reverse("registry:account_review", args=[account_id]))  # fmt: skip
    directors = list(_holders(district, Role.DIRECTOR).values_list("pk", flat=True))
    for account_id, due in dates.items():
        if (today - due).days > interval:
            for director_id in directors:
                yield Owed(director_id, f"account:{account_id}", f"review-{due}-escalated",
                           reverse("registry:account_detail", args=[account_id]), {"escalated": True})  # fmt: skip


def account_short_of_administrators(district: District, today: datetime.date) -> Iterator[Owed]:
    """Weekly while a live account has fewer current administrators than the policy's minimum (for
    instance when one left the district), to the director and the administrators who remain."""
    accounts = registry_selectors.below_minimum(SocialAccount.objects.filter(district=district), today)
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    account_ids = list(accounts.values_list("pk", flat=True))
    directors = list(_holders(district, Role.DIRECTOR).values_list("pk", flat=True))
    remaining = _administrators_of(SocialAccount.objects.filter(pk__in=account_ids), today)
    for account_id, user_id in [*((a, d) for a in account_ids for d in directors), *remaining]:
        yield Owed(
            user_id, f"account:{account_id}", f"short-{week}", reverse("registry:account_detail", args=[account_id])
        )


def account_awaiting_decision(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per request, to whoever must act: the director to approve, then communications to look."""
    accounts = SocialAccount.objects.filter(district=district)
    for account_id in registry_selectors.awaiting_approval(accounts).values_list("pk", flat=True):
        for director_id in _holders(district, Role.DIRECTOR).values_list("pk", flat=True):
            yield Owed(director_id, f"account:{account_id}", "awaiting-approval",
                       reverse("registry:account_detail", args=[account_id]))  # fmt: skip
    for account_id in registry_selectors.awaiting_communications(accounts).values_list("pk", flat=True):
        for person_id in _holders(district, Role.COMMUNICATIONS).values_list("pk", flat=True):
            yield Owed(person_id, f"account:{account_id}", "awaiting-communications",
                       reverse("registry:account_detail", args=[account_id]))  # fmt: skip


def _tool_deciders(district: District) -> list[int]:
    return list(tool_access.decision_makers(district, ApprovalPower.TOOLS).values_list("pk", flat=True))


def tool_review_due(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per review date, the policy's number of days before it (or when already past)."""
    tools = tool_selectors.tool_reviews_due(
        tool_selectors.tools_of(district.pk), district.reminder_days_before_due, today
    )
    deciders = _tool_deciders(district)
    for tool_id, due in tools.values_list("pk", "next_review_on"):
        for person_id in deciders:
            yield Owed(person_id, f"tool:{tool_id}", f"review-{due}", reverse("tools:tool_detail", args=[tool_id]))


def privacy_agreement_expiring(district: District, today: datetime.date) -> Iterator[Owed]:
    tools = tool_selectors.privacy_agreements_expiring(
        tool_selectors.tools_of(district.pk), district.reminder_days_before_due, today
    )
    deciders = _tool_deciders(district)
    for tool_id, ends in tools.values_list("pk", "privacy_agreement_expires_on"):
        for person_id in deciders:
            yield Owed(person_id, f"tool:{tool_id}", f"agreement-{ends}", reverse("tools:tool_detail", args=[tool_id]))


def tool_request_waiting(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per request, to whoever the policy lets decide it."""
    deciders = _tool_deciders(district)
    for request_id in tool_selectors.tool_requests_waiting(district.pk).values_list("pk", flat=True):
        for person_id in deciders:
            yield Owed(person_id, f"tool_request:{request_id}", "waiting",
                       reverse("tools:request_detail", args=[request_id]))  # fmt: skip


def authorization_waiting(district: District, today: datetime.date) -> Iterator[Owed]:
    """Once per request to use a tool with students, to whoever the policy lets authorize it."""
    deciders = tool_access.decision_makers(district, ApprovalPower.INSTRUCTIONAL_USE).values_list("pk", flat=True)
    waiting = authorization_selectors.authorizations_waiting(Authorization.objects.filter(district=district))
    for use_id in waiting.values_list("pk", flat=True):
        for person_id in deciders:
            yield Owed(person_id, f"authorization:{use_id}", "waiting",
                       reverse("authorizations:detail", args=[use_id]))  # fmt: skip


def consent_forms_to_collect(district: District, today: datetime.date) -> Iterator[Owed]:
    """In the first weeks of each school year, once, to the clerks and principals of each school."""
    year = district.school_year_for(today)
    if (today - year.starts_on).days >= CONSENT_COLLECTION_DAYS:
        return
    if not any(notions.chases_answers(scope) for scope in consent_selectors.active_scopes(district)):
        return  # under an opt-out list no answer means the picture may be posted: nothing to collect
    memberships = Membership.objects.filter(
        school__district=district, school__active=True, role__in=(Role.CLERK, Role.PRINCIPAL), ended_on__isnull=True,
        user__is_active=True,
    ).values_list("school_id", "user_id").distinct()  # fmt: skip
    for school_id, user_id in memberships.iterator():
        yield Owed(user_id, f"school:{school_id}", f"consent-{year.start_year}",
                   reverse("consent:no_answer", args=[school_id]))  # fmt: skip


def _school(subject: object) -> School:
    """The subject of a school's reminder (its object key names a school)."""
    if not isinstance(subject, School):
        raise TypeError(f"a school's reminder is about {subject!r}")
    return subject


def _consent_items(school: object, recipient: User, today: datetime.date) -> dict[str, Any] | None:
    items = obligations.forms_to_collect([_school(school)], today)
    return {"items": items} if items else None


def principal_digest(district: District, today: datetime.date) -> Iterator[Owed]:
    """One e-mail a week to each principal, on the first planning day of the week."""
    week = today.isocalendar()
    if week.weekday != DIGEST_WEEKDAY:
        return
    principals = Membership.objects.filter(
        school__district=district, school__active=True, role=Role.PRINCIPAL, ended_on__isnull=True,
        user__is_active=True,
    ).values_list("school_id", "user_id").distinct()  # fmt: skip
    for school_id, user_id in principals.iterator():
        yield Owed(user_id, f"school:{school_id}", f"digest-{week.year}-W{week.week:02d}", reverse("home"))


def digest_items(school: object, recipient: User, today: datetime.date) -> dict[str, Any] | None:
    """The school's list as its principal reads it: the same items as their dashboard and home page."""
    school = _school(school)
    items = compliance_selectors.school_list(school, readers.at_school(recipient, school), today).items
    return {"items": items} if items else None


def sent_now_key(person: User, today: datetime.date) -> dict[str, Any]:
    """The log's unique key of the day's "Send now" to `person`: pressed twice, retried, or taken by two
    workers, it is one row, and so one e-mail."""
    return {"kind": "sent_now", "object_key": f"staff:{person.pk}", "recipient": person, "period": f"now-{today}"}


def sent_now_items(person: object, recipient: User, today: datetime.date) -> dict[str, Any] | None:
    """What the person owes now (their home page's own list), most urgent first; None when nothing is
    left to do, or they left meanwhile."""
    if not isinstance(person, User) or not person.is_active:
        return None
    items = [item for item in compliance_selectors.own_owed(person, today).items if item.to_do]
    return {"items": sorted(items, key=lambda item: item.sort_key())} if items else None


KINDS: list[Kind] = [
    Kind(
        "disclosure_due_soon",
        "Disclosure due soon",
        "Each employee who must file and has not",
        "The policy's number of days before their due date, once a school year",
        "disclosure_due_soon",
        disclosure_due_soon,
    ),
    Kind(
        "disclosure_due_today",
        "Disclosure due today",
        "Each employee who must file and has not",
        "On their due date",
        "disclosure_due_today",
        disclosure_due_today,
    ),
    Kind(
        "disclosure_late",
        "Disclosure late",
        "Each employee whose disclosure is late",
        "The day after their due date, then every interval the policy sets until they file",
        "disclosure_late",
        disclosure_late,
    ),
    Kind(
        "disclosure_cycle_missing",
        "This year's disclosure cycle is missing",
        "The district's technology directors",
        "From the first day of a school year the policy asks disclosures for but whose cycle nobody set up, "
        "then every interval the policy sets until it exists",
        "disclosure_cycle_missing",
        disclosure_cycle_missing,
        _cycle_missing_context,
    ),
]
KINDS += [
    Kind(
        "account_review_due",
        "Account review due soon",
        "The account's administrators",
        "The policy's number of days before the review date",
        "account_review_due",
        account_review_due,
    ),
    Kind(
        "account_review_overdue",
        "Account review overdue",
        "The account's administrators, and the director once it is a full interval late",
        "The day after the review date, then every interval the policy sets",
        "account_review_overdue",
        account_review_overdue,
    ),
    Kind(
        "account_short_of_administrators",
        "Account below its minimum of administrators",
        "The director and the administrators who remain",
        "Each week while the account is short (for instance after an administrator left)",
        "account_short_of_administrators",
        account_short_of_administrators,
    ),
    Kind(
        "account_awaiting_decision",
        "Account waiting for approval or communications",
        "The director (approval) or the communications office (review before launch)",
        "Once per request",
        "account_awaiting_decision",
        account_awaiting_decision,
    ),
    Kind(
        "tool_review_due",
        "Tool review due",
        "Whoever the policy lets approve tools",
        "The policy's number of days before the review date",
        "tool_review_due",
        tool_review_due,
    ),
    Kind(
        "privacy_agreement_expiring",
        "Privacy agreement expiring",
        "Whoever the policy lets approve tools",
        "The policy's number of days before the agreement ends",
        "privacy_agreement_expiring",
        privacy_agreement_expiring,
    ),
    Kind(
        "tool_request_waiting",
        "Tool request waiting",
        "Whoever the policy lets approve tools",
        "Once per request",
        "tool_request_waiting",
        tool_request_waiting,
    ),
    Kind(
        "authorization_waiting",
        "Authorization waiting",
        "Whoever the policy lets authorize a tool's use with students",
        "Once per request",
        "authorization_waiting",
        authorization_waiting,
    ),
]
KINDS += [
    Kind(
        "consent_forms_to_collect",
        "Consent forms to collect",
        "The office clerks and principals of each school",
        "Once, in the first weeks of each school year",
        "consent_forms_to_collect",
        consent_forms_to_collect,
        _consent_items,
    ),
    Kind(
        "principal_digest",
        "Principal's weekly digest",
        "Each principal, for their school",
        "Every Monday, when anything in the school is outstanding: one e-mail, not one per item",
        "principal_digest",
        principal_digest,
        digest_items,
    ),
]
# Notices an action claims itself (core.notify), sent right after it: nothing to plan.
KINDS += [
    Kind(
        "sent_now",
        "What someone owes, sent now",
        "A staff member whose director, superintendent or principal pressed “Send now”",
        "When pressed (at most once a day per person, however often it is pressed)",
        "sent_now",
        None,
        sent_now_items,
    ),
    Kind(
        "invitation",
        "Invitation to sign in",
        "Staff the technology director invites",
        "When the director invites them (at most once a day per person)",
        "invitation",
        None,
        invitation_context,
    ),
    Kind(
        "disclosure_returned",
        "Disclosure returned for changes",
        "The employee whose disclosure a reviewer returned",
        "When it is returned, with the comment meant for them",
        "disclosure_returned",
        None,
        disclosure_returned_context,
    ),
    Kind(
        "account_decided",
        "Account request decided",
        "The staff member who asked for the account",
        "When the director approves or refuses it, and when the communications office has seen it",
        "account_decided",
        None,
    ),
    Kind(
        "tool_request_decided",
        "Tool request decided",
        "The staff member who asked to use the tool",
        "When the request is approved or declined",
        "tool_request_decided",
        None,
    ),
    Kind(
        "authorization_decided",
        "Request to use a tool with students decided",
        "The staff member who asked",
        "When the request is authorized or declined",
        "authorization_decided",
        None,
    ),
    Kind(
        "authorization_suspended",
        "Authorization suspended: its tool left the approved list",
        "The staff member who asked, the one using the tool, and whoever authorized it",
        "When the tool is declared not approved, put back under review or retired",
        "authorization_suspended",
        None,
    ),
]

KINDS += [
    Kind(
        "roster_sync_failed",
        "Roster sync failed",
        "The district's technology directors",
        "Once when a scheduled roster sync fails, however many runs the failure lasts",
        "roster_sync_failed",
        None,
    ),
]


# --- Families (guardians from the roster, who have no account) ------------------------------------


def _family_link_context(
    subject: object, person: object, today: datetime.date, *, unanswered: bool
) -> dict[str, Any] | None:
    """The family's own link, or nothing to say: the link was revoked or expired, or (for the
    reminder) the family answered meanwhile."""
    from consent.family_links import address_for
    from consent.models import FamilyLink

    if not isinstance(subject, FamilyLink) or not subject.is_usable():
        return None
    if unanswered and subject.answered_at is not None:
        return None
    return {
        "family_link": address_for(subject),
        "student_first_name": subject.student.first_name,
        "school_name": subject.student.school.name,
        "expires_on": timezone.localtime(subject.expires_at).date(),
        "guardian": subject.guardian,
        # An authorization's own form: taking part in one tool (its name, in the district's words).
        "participation": subject.participation_scope.name if subject.participation_scope else "",
    }


def family_consent_unanswered(district: District, today: datetime.date) -> Iterator[Owed]:
    """One reminder, the district's number of days after the link was e-mailed, to families who have
    not answered since (their link still working)."""
    from consent.models import FamilyLink
    from reminders.models import Reminder, ReminderStatus

    days = district.family_reminder_days
    if not days:
        return
    sent = Reminder.objects.filter(
        kind="family_consent_request",
        object_key=Concat(Value("family_link:"), Cast(OuterRef("pk"), CharField())),
        status=ReminderStatus.SENT,
        sent_at__date__lte=today - datetime.timedelta(days=days),
    )
    links = (
        FamilyLink.objects.filter(
            district=district,
            answered_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            guardian__active=True,
        )
        .exclude(guardian__email="")
        .filter(Exists(sent))
    )
    for link_id, guardian_id, school_year in links.values_list("pk", "guardian_id", "school_year").iterator():
        yield Owed(None, f"family_link:{link_id}", f"{school_year}:reminder", "/", guardian_id=guardian_id)


KINDS += [
    Kind(
        "family_consent_request",
        "A family's consent link",
        "Each parent or guardian with an e-mail address",
        "When a clerk or director sends the links (once per student, school year and set of questions)",
        "family_consent_request",
        None,
        functools.partial(_family_link_context, unanswered=False),
    ),
    Kind(
        "family_consent_reminder",
        "Reminder to a family that has not answered",
        "Each parent or guardian who was sent a link and has not answered",
        "Once, the district's number of days after the link was sent; never after an answer",
        "family_consent_reminder",
        family_consent_unanswered,
        functools.partial(_family_link_context, unanswered=True),
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}
