"""A district's audit log: every change to its audited records in a period, newest first.

Merged from every history table (each filtered to the district through its own path) and from
the records that are their own audit: families' consent answers (who recorded them and when)
and the removals of departed students. Students appear by name and student id only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import formats, timezone

from accounts.history import (
    district_source,
    membership_source,
    policy_document_source,
    school_source,
    staff_source,
)
from accounts.models import District, SignInEvent
from authorizations.history import authorization_source
from consent.history import scope_source
from consent.models import ConsentRecord, StudentPurge
from core.history import Change, Entry, HistoryPage, Source, history_page, iter_history, who
from disclosures.history import cycle_source, disclosure_source, network_source
from disclosures.models import Disclosure
from registry.history import account_source, administrator_source, review_source
from registry.models import AccountLogoPermission, SocialAccount
from tools.history import (
    designee_source,
    logo_permission_source,
    spokesperson_source,
    tool_request_source,
    tool_source,
)
from tools.models import ToolLogoPermission

PER_PAGE = 50
DEFAULT_DAYS = 30
MAX_PERIOD_DAYS = 366  # one school year and a day or two; the export of a longer span is several files
# The entries that are not history rows sort after every source written in the same instant.
_CONSENT, _PURGE, _SIGN_IN = 1000, 1001, 1002


@dataclass(frozen=True)
class Period:
    """From the first day to the last, both included, in the district's time zone (settings.TIME_ZONE)."""

    first: datetime.date
    last: datetime.date

    @staticmethod
    def _start_of(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())

    @property
    def since(self) -> datetime.datetime:
        return self._start_of(self.first)

    @property
    def until(self) -> datetime.datetime:
        """The first instant after the period."""
        return self._start_of(self.last + datetime.timedelta(days=1))


def default_period(today: datetime.date | None = None) -> Period:
    """The last 30 days, today included."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    return Period(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


def district_sources(district: District) -> list[Source]:
    """Every audited history table, each filtered to the district through its path to it."""
    d = district.pk
    # Children are found through their parent's history, so they stay in the log when the parent
    # was deleted (a discarded draft, an account an operator removed).
    accounts = SocialAccount.history.filter(district_id=d).values("id")
    versions = Disclosure.history.filter(cycle__district_id=d).values("id")
    return [
        district_source(Q(id=d)),
        policy_document_source(Q(district_id=d)),
        school_source(Q(district_id=d)),
        staff_source(Q(district_id=d)),
        membership_source(Q(district_id=d)),
        account_source(Q(district_id=d)),
        administrator_source(Q(account_id__in=accounts)),
        review_source(Q(account_id__in=accounts)),
        logo_permission_source(AccountLogoPermission, Q(district_id=d)),
        logo_permission_source(ToolLogoPermission, Q(district_id=d)),
        designee_source(Q(district_id=d)),
        spokesperson_source(Q(district_id=d)),
        tool_source(Q(district_id=d)),
        tool_request_source(Q(district_id=d)),
        authorization_source(Q(district_id=d)),
        cycle_source(Q(district_id=d)),
        disclosure_source(Q(cycle__district_id=d)),
        network_source(Q(disclosure_id__in=versions)),
        scope_source(Q(district_id=d)),
    ]


# --- Records that are their own audit ------------------------------------------------------------


def _consent_answers(district: District, period: Period) -> QuerySet[ConsentRecord]:
    return (
        ConsentRecord.objects.filter(
            student__district=district, recorded_at__gte=period.since, recorded_at__lt=period.until
        )
        .select_related("student__school", "scope", "recorded_by", "source_import")
        .order_by("-recorded_at", "-pk")
    )


def _consent_entry(record: ConsentRecord) -> Entry:
    name, email = who(record.recorded_by)
    student = record.student
    changes = [
        Change("scope", "Consent for", "", record.scope.name, initial=True),
        Change("decision", "Answer", "", record.get_decision_display(), initial=True),
        Change("received_on", "Received on", "", formats.date_format(record.received_on, "N j, Y"), initial=True),
        Change("received_by", "Received as", "", record.get_received_by_display(), initial=True),
    ]
    if record.source_import is not None:
        changes.append(Change("source_import", "Imported from", "", record.source_import.file_name, initial=True))
    return Entry(
        when=record.recorded_at,
        who=name,
        who_email=email,
        action="created",
        kind="Consent answer",
        # The minimum that identifies the student: their name and the school's id for them.
        name=f"{student.first_name} {student.last_name} (student id {student.sis_id})",
        school=student.school.name,
        reason="",
        changes=changes,
        summary=f"Answer recorded: {record.get_decision_display()}",
        order=(_CONSENT, record.pk),
    )


def _purges(district: District, period: Period) -> QuerySet[StudentPurge]:
    return StudentPurge.objects.filter(district=district, ran_at__gte=period.since, ran_at__lt=period.until).order_by(
        "-ran_at", "-pk"
    )


def _purge_entry(purge: StudentPurge) -> Entry:
    counts = [
        ("students_removed", "Students removed", purge.students_removed),
        ("consent_records_removed", "Consent answers removed", purge.consent_records_removed),
        ("program_memberships_removed", "Program memberships removed", purge.program_memberships_removed),
    ]
    return Entry(
        when=purge.ran_at,
        who="System",
        who_email="",
        action="deleted",
        kind="Departed students",
        name=f"Students who left before {formats.date_format(purge.left_before, 'N j, Y')}",
        school="",
        reason="",
        changes=[Change(key, label, "", str(n), initial=True) for key, label, n in counts],
        summary="Removed after the district's retention period",
        order=(_PURGE, purge.pk),
    )


def _sign_ins(district: District, period: Period) -> QuerySet[SignInEvent]:
    return (
        SignInEvent.objects.filter(district=district, at__gte=period.since, at__lt=period.until)
        .select_related("user")
        .order_by("-at", "-pk")
    )


def _sign_in_entry(event: SignInEvent) -> Entry:
    name, email = who(event.user) if event.user is not None else ("", event.email)
    changes = [Change("provider", "Signed in with", "", event.provider, initial=True)]
    if event.refusal:
        changes.append(Change("refusal", "Refused because", "", event.get_refusal_display(), initial=True))
    if event.client_address:
        changes.append(Change("client_address", "From address", "", event.client_address, initial=True))
    return Entry(
        when=event.at,
        who=name or event.email,
        who_email=email or event.email,
        action="created",
        kind="Sign-in",
        name=event.email,
        school="",
        reason="",
        changes=changes,
        summary=event.get_outcome_display(),
        order=(_SIGN_IN, event.pk),
    )


# --- The log -------------------------------------------------------------------------------------


def audit_page(district: District, period: Period, *, number: int = 1, per_page: int = PER_PAGE) -> HistoryPage:
    """One page of the log: a fixed number of queries, however many changes the period holds."""
    return history_page(
        district_sources(district),
        number=number,
        per_page=per_page,
        since=period.since,
        until=period.until,
        extra=[
            lambda wanted: [_consent_entry(r) for r in _consent_answers(district, period)[:wanted]],
            lambda wanted: [_purge_entry(p) for p in _purges(district, period)[:wanted]],
            lambda wanted: [_sign_in_entry(e) for e in _sign_ins(district, period)[:wanted]],
        ],
    )


def audit_entries(district: District, period: Period) -> Iterator[Entry]:
    """The whole log of the period, streamed: one query per table, constant memory."""
    return iter_history(
        district_sources(district),
        since=period.since,
        until=period.until,
        extra=[
            (_consent_entry(r) for r in _consent_answers(district, period).iterator(chunk_size=1000)),
            (_purge_entry(p) for p in _purges(district, period).iterator(chunk_size=1000)),
            (_sign_in_entry(e) for e in _sign_ins(district, period).iterator(chunk_size=1000)),
        ],
    )
