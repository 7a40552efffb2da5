"""A district's audit log: every change to its audited records in a period, newest first.

Merged from every history table (each filtered to the district through its own path) and from
the records that are their own audit: families' consent answers (who recorded them and when)
and the removals of departed students. Students appear by name and student id only.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from accounts.history import (
    district_source,
    membership_source,
    policy_document_source,
    school_source,
    staff_source,
)
from accounts.models import District, Membership, Program, SignInEvent
from authorizations.history import authorization_source
from consent.history import scope_source
from consent.models import ConsentRecord, StudentPurge
from core.history import Change, Entry, HistoryPage, Source, history_page, iter_history, who
from disclosures.history import cycle_source, disclosure_source, network_source
from disclosures.models import Disclosure
from registry.history import account_source, administrator_source, fake_report_source, review_source
from registry.models import AccountLogoPermission, SocialAccount
from tools.history import (
    designee_source,
    logo_permission_source,
    spokesperson_source,
    technology_notice_source,
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


@dataclass(frozen=True)
class AuditFilters:
    """What the reader narrowed the log to, beside the period: who acted (a person of the district,
    or an operator), which kinds of record (KIND_CHOICES keys), which school. A filter a kind of record
    cannot answer leaves that kind out (a school's log has no district policy; a person's, no purges)."""

    person_id: int | None = None
    kinds: frozenset[str] = frozenset()
    school_id: int | None = None
    nobody: bool = False  # the person asked for is not one of the district's: nothing matches

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind_key(kind) in self.kinds


NO_FILTERS = AuditFilters()

# The kinds of record, as the log names them (core.history.Source.kind and the entries below).
CONSENT_KIND, PURGE_KIND, SIGN_IN_KIND = "Consent answer", "Departed students", "Sign-in"
KINDS = [  # marked for translation where the filter offers them (audit.filters)
    gettext_noop("Official account"),
    gettext_noop("Account administrator"),
    gettext_noop("Account review"),
    gettext_noop("Staff disclosure"),
    gettext_noop("Disclosed network"),
    gettext_noop("Disclosure cycle"),
    gettext_noop("Consent answer"),
    gettext_noop("Consent scope"),
    gettext_noop("Tool"),
    gettext_noop("Tool request"),
    gettext_noop("Authorization"),
    gettext_noop("Logo permission"),
    gettext_noop("Designee"),
    gettext_noop("Spokesperson"),
    gettext_noop("Staff member"),
    gettext_noop("Role"),
    gettext_noop("District policy"),
    gettext_noop("Policy document"),
    gettext_noop("Sign-in"),
    gettext_noop("Departed students"),
]


def kind_key(kind: str) -> str:
    """The kind of record as the address writes it ("Official account": "official-account")."""
    return slugify(kind)


def _school_rows(kind: str, school_id: int) -> Q | None:
    """The rows of a kind of record that concern one school, read from the history row's own
    columns (indexed foreign keys) or its parent's history; None: the kind is not a school's."""
    accounts = SocialAccount.history.filter(school_id=school_id).values("id")
    staff = Membership.objects.filter(school_id=school_id).values("user_id")
    paths: dict[str, Q] = {
        "Official account": Q(school_id=school_id),
        "Account administrator": Q(account_id__in=accounts),
        "Account review": Q(account_id__in=accounts),
        "Tool request": Q(school_id=school_id),
        "Authorization": Q(program_id__in=Program.objects.filter(school_id=school_id).values("pk")),
        "Role": Q(school_id=school_id),
        "Staff member": Q(id__in=staff),
        "Staff disclosure": Q(employee_id__in=staff),
    }
    return paths.get(kind)


def _narrowed(source: Source, filters: AuditFilters) -> Source | None:
    """The source with the filters applied to its rows, or None when they leave it out."""
    if filters.nobody or not filters.wants(source.kind):
        return None
    rows = source.rows
    if filters.person_id is not None:
        rows &= Q(history_user_id=filters.person_id)
    if filters.school_id is not None:
        school = _school_rows(source.kind, filters.school_id)
        if school is None:
            return None
        rows &= school
    return replace(source, rows=rows)


def filtered_sources(district: District, filters: AuditFilters = NO_FILTERS) -> list[Source]:
    """The district's history tables the filters keep, each narrowed by them."""
    narrowed = (_narrowed(source, filters) for source in district_sources(district))
    return [source for source in narrowed if source is not None]


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
        fake_report_source(Q(district_id=d), withhold_reporter=True),
        logo_permission_source(AccountLogoPermission, Q(district_id=d)),
        logo_permission_source(ToolLogoPermission, Q(district_id=d)),
        designee_source(Q(district_id=d)),
        spokesperson_source(Q(district_id=d)),
        tool_source(Q(district_id=d)),
        tool_request_source(Q(district_id=d)),
        technology_notice_source(Q(district_id=d)),
        authorization_source(Q(district_id=d)),
        cycle_source(Q(district_id=d)),
        disclosure_source(Q(cycle__district_id=d)),
        network_source(Q(disclosure_id__in=versions)),
        scope_source(Q(district_id=d)),
    ]


# --- Records that are their own audit ------------------------------------------------------------


def _consent_answers(
    district: District, period: Period, filters: AuditFilters = NO_FILTERS, *, oldest_first: bool = False
) -> QuerySet[ConsentRecord]:
    if filters.nobody or not filters.wants(CONSENT_KIND):
        return ConsentRecord.objects.none()
    records = ConsentRecord.objects.filter(
        student__district=district, recorded_at__gte=period.since, recorded_at__lt=period.until
    )
    if filters.person_id is not None:
        records = records.filter(recorded_by_id=filters.person_id)
    if filters.school_id is not None:
        records = records.filter(student__school_id=filters.school_id)
    order = ("recorded_at", "pk") if oldest_first else ("-recorded_at", "-pk")
    return records.select_related("student__school", "scope", "recorded_by", "source_import").order_by(*order)


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


def _purges(
    district: District, period: Period, filters: AuditFilters = NO_FILTERS, *, oldest_first: bool = False
) -> QuerySet[StudentPurge]:
    # The system removes departed students: no person acted, no one school is concerned.
    if filters.nobody or not filters.wants(PURGE_KIND) or filters.person_id or filters.school_id:
        return StudentPurge.objects.none()
    purges = StudentPurge.objects.filter(district=district, ran_at__gte=period.since, ran_at__lt=period.until)
    return purges.order_by(*(("ran_at", "pk") if oldest_first else ("-ran_at", "-pk")))


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


def _sign_ins(
    district: District, period: Period, filters: AuditFilters = NO_FILTERS, *, oldest_first: bool = False
) -> QuerySet[SignInEvent]:
    if filters.nobody or not filters.wants(SIGN_IN_KIND) or filters.school_id:
        return SignInEvent.objects.none()
    events = SignInEvent.objects.filter(district=district, at__gte=period.since, at__lt=period.until)
    if filters.person_id is not None:
        events = events.filter(user_id=filters.person_id)
    return events.select_related("user").order_by(*(("at", "pk") if oldest_first else ("-at", "-pk")))


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


def audit_page(
    district: District,
    period: Period,
    filters: AuditFilters = NO_FILTERS,
    *,
    number: int = 1,
    per_page: int = PER_PAGE,
    oldest_first: bool = False,
) -> HistoryPage:
    """One page of the log: a fixed number of queries, however many changes the period holds (two
    per history table the filters keep, one per other kind of record)."""
    sources = filtered_sources(district, filters)
    extra: list[Callable[[int], list[Entry]]] = []
    if not filters.nobody:  # a query that can match nothing is not sent
        if filters.wants(CONSENT_KIND):
            answers = _consent_answers(district, period, filters, oldest_first=oldest_first)
            extra.append(lambda wanted: [_consent_entry(r) for r in answers[:wanted]])
        if filters.wants(PURGE_KIND) and not (filters.person_id or filters.school_id):
            purges = _purges(district, period, filters, oldest_first=oldest_first)
            extra.append(lambda wanted: [_purge_entry(p) for p in purges[:wanted]])
        if filters.wants(SIGN_IN_KIND) and not filters.school_id:
            sign_ins = _sign_ins(district, period, filters, oldest_first=oldest_first)
            extra.append(lambda wanted: [_sign_in_entry(e) for e in sign_ins[:wanted]])
    return history_page(
        sources,
        number=number,
        per_page=per_page,
        since=period.since,
        until=period.until,
        extra=extra,
        oldest_first=oldest_first,
    )


def audit_entries(district: District, period: Period, filters: AuditFilters = NO_FILTERS) -> Iterator[Entry]:
    """The whole log of the period, streamed: one query per table, constant memory."""
    return iter_history(
        filtered_sources(district, filters),
        since=period.since,
        until=period.until,
        extra=[
            (_consent_entry(r) for r in _consent_answers(district, period, filters).iterator(chunk_size=1000)),
            (_purge_entry(p) for p in _purges(district, period, filters).iterator(chunk_size=1000)),
            (_sign_in_entry(e) for e in _sign_ins(district, period, filters).iterator(chunk_size=1000)),
        ],
    )
