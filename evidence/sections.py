"""What an evidence pack holds, section by section, each read from the owning app's selectors.

A section says which rule of the district's policy it evidences, quoting the policy profile (its
fields, as the district set them) and the policy documents in force, and holds its tables: every row
goes to a CSV of the ZIP, the first rows to the PDF. No rule is worked out here: the figures are the
answers of registry/, disclosures/, consent/, tools/, authorizations/, compliance/, reminders/ and
audit/. Students appear only as counts: no child's name is in any table.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import District, Student, User
from audit import selectors as audit_selectors
from audit.selectors import Period
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization
from compliance import measures
from consent import selectors as consent_selectors
from disclosures import selectors as disclosure_selectors
from disclosures.access import enabled as disclosures_enabled
from registry import selectors as registry_selectors
from registry.models import AccountAdministrator, AccountReview, SocialAccount
from reminders import selectors as reminder_selectors
from reminders.kinds import KINDS_BY_KEY
from tools import selectors as tool_selectors

# How many rows of a table the PDF shows; the CSV beside it holds them all.
PDF_ROWS = 25
# A consent answer in the audit log names the student: the pack shows that an answer was recorded.
STUDENT_WITHHELD = "A student (name withheld)"


def cell(value: object) -> str:
    """One value as the CSVs and the PDF write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def person(user: User | None) -> str:
    return "" if user is None else (user.full_name or user.email)


@dataclass
class Table:
    """One table: written whole to `file` in the ZIP; its first rows shown in the PDF."""

    file: str
    title: str
    header: list[str]
    rows: Iterable[Sequence[object]]
    pdf_columns: Sequence[int] | None = None  # the columns the PDF shows (all when None)
    pdf_limit: int | None = PDF_ROWS  # how many rows the PDF shows (all when None)
    # Filled while the CSV is written.
    first_rows: list[list[str]] = field(default_factory=list)
    count: int = 0

    def written(self) -> Iterator[list[str]]:
        """The rows as cells, counted and the first ones kept for the PDF, as they go to the CSV."""
        for row in self.rows:
            cells = [cell(value) for value in row]
            if self.pdf_limit is None or self.count < self.pdf_limit:
                self.first_rows.append(cells)
            self.count += 1
            yield cells

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.first_rows))

    def _pick(self, cells: Sequence[str]) -> list[str]:
        return list(cells) if self.pdf_columns is None else [cells[i] for i in self.pdf_columns]

    @property
    def pdf_header(self) -> list[str]:
        return self._pick(self.header)

    @property
    def pdf_rows(self) -> list[list[str]]:
        return [self._pick(row) for row in self.first_rows]


@dataclass
class Section:
    key: str
    title: str
    evidences: str  # the rule of the policy this section shows is followed, in a sentence
    quoted: list[tuple[str, str]]  # the policy profile's fields that say it, as set
    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    excerpts: list[tuple[str, str]] = field(default_factory=list)  # policy text quoted: (which, text)
    # Figures known once the tables are written (the audit log's kinds), added by the builder.
    after: Callable[[Section], None] | None = None


@dataclass(frozen=True)
class Scope:
    """What a pack covers: the district, the period, and the day its standing figures are counted on."""

    district: District
    period: Period
    on: datetime.date  # the period's last day, or today when the period has not ended

    @property
    def reference(self) -> str:
        return self.district.policy_reference or _("the district's social media policy")


def quote(district: District, *names: str) -> list[tuple[str, str]]:
    """The profile fields `names`, by their label, with the value the district set."""
    quoted = []
    for name in names:
        model_field = District._meta.get_field(name)
        value = getattr(district, name)
        if getattr(model_field, "choices", None):
            value = getattr(district, f"get_{name}_display")()
        quoted.append((str(capfirst(model_field.verbose_name)), cell(value) if value is not None else "—"))
    return quoted


# --- 1. The policy ---------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "policy_reference",
    "photo_model",
    "public_arena_exception",
    "social_media_photo_lists",
    "personal_site_student_photos",
    "consent_renewed_each_school_year",
    "min_account_administrators",
    "preferred_account_administrators",
    "approval_before_launch",
    "communications_review_before_launch",
    "administrator_acknowledgement_required",
    "account_review_interval_months",
    "disclosure_required",
    "disclosure_recipient",
    "tool_approver",
    "instructional_use_approver",
    "logo_use_approver",
    "logo_permission_required",
    "official_accounts_on_approved_networks_only",
    "tool_limits_exception_allowed",
    "spokesperson_approver",
    "tool_list_visibility",
    "tool_review_interval_months",
    "policy_review_interval_months",
    "school_year_start_month",
    "reminder_days_before_due",
    "overdue_reminder_interval_days",
)


def policy_section(scope: Scope) -> Section:
    district = scope.district
    documents = list(account_selectors.current_policy_documents(district))
    return Section(
        "policy",
        _("The policy in force"),
        _("The rules every other section is measured against: %(reference)s, as the district recorded it.")
        % {"reference": scope.reference},
        quote(district, "policy_reference", "policy_review_interval_months"),
        figures=[
            (_("Policy documents in force"), str(len(documents))),
            (_("Policy profile last reviewed"), cell(district.policy_reviewed_at) or _("never")),
        ],
        tables=[
            Table(
                "policy/profile.csv",
                _("The policy profile"),
                [_("Rule"), _("As the district set it")],
                quote(district, *PROFILE_FIELDS),
                pdf_limit=None,
            ),
            Table(
                "policy/documents.csv",
                _("Policy documents in force"),
                [_("Number"), _("Title"), _("Version"), _("Adopted on"), _("Last reviewed on"), _("Link"), _("Text")],
                [[d.number, d.title, d.version, d.adopted_on, d.last_reviewed_on, d.url, d.text] for d in documents],
                pdf_columns=(0, 1, 2, 3, 4),
            ),
        ],
        excerpts=[(f"{d.number} {d.title}", d.text) for d in documents if d.text],
    )


# --- 2. Official accounts --------------------------------------------------------------------------


def accounts_section(scope: Scope) -> Section:
    district, on, period = scope.district, scope.on, scope.period
    accounts = (
        registry_selectors.with_last_recertification(
            registry_selectors.with_attention(SocialAccount.objects.filter(district=district), on)
        )
        .select_related("platform", "school", "program", "owner_staff", "requested_by", "decided_by")
        .select_related("communications_confirmed_by")
        .order_by("display_name", "pk")
    )
    counts = registry_selectors.attention_counts(SocialAccount.objects.filter(district=district), on)
    counted = set(
        registry_selectors.counted_administrators(on).filter(account__district=district).values_list("pk", flat=True)
    )
    designations = (
        AccountAdministrator.objects.filter(account__district=district, starts_on__lte=period.last)
        .exclude(ends_on__lt=period.first)
        .select_related("account__platform", "user")
        .order_by("account__display_name", "account_id", "starts_on", "pk")
    )
    reviews = (
        AccountReview.objects.filter(account__district=district, reviewed_on__gte=period.first)
        .filter(reviewed_on__lte=period.last)
        .select_related("account__platform", "reviewed_by")
        .order_by("reviewed_on", "pk")
    )
    return Section(
        "accounts",
        _("Official accounts"),
        _(
            "%(reference)s: every official account is registered, approved before launch where the policy asks, "
            "has its designated administrators (at least the minimum, ideally the preferred number), and is "
            "reviewed at least as often as the policy says."
        )
        % {"reference": scope.reference},
        quote(
            district,
            "min_account_administrators",
            "preferred_account_administrators",
            "approval_before_launch",
            "communications_review_before_launch",
            "administrator_acknowledgement_required",
            "account_review_interval_months",
        ),
        figures=[
            (_("Accounts registered"), str(counts.total)),
            (_("Below the minimum of administrators"), str(counts.below_minimum)),
            (_("Review overdue"), str(counts.review_overdue)),
            (_("Awaiting approval"), str(counts.awaiting_approval)),
        ],
        tables=[
            Table(
                "accounts/accounts.csv",
                _("Every official account"),
                [
                    _("Account"),
                    _("Network"),
                    _("Handle"),
                    _("Represents"),
                    _("School"),
                    _("Status"),
                    _("Requested by"),
                    _("Requested at"),
                    _("Decided by"),
                    _("Decided at"),
                    _("Seen by communications"),
                    _("Seen at"),
                    _("Launched on"),
                    _("Administrators counted"),
                    _("Below minimum"),
                    _("Last re-certified"),
                    _("Next review"),
                    _("Review overdue"),
                ],
                (
                    [
                        a.display_name,
                        a.platform.name,
                        a.handle,
                        a.owner_name,
                        a.school.name if a.school else "",
                        a.get_status_display(),
                        person(a.requested_by),
                        a.requested_at,
                        person(a.decided_by),
                        a.decided_at,
                        person(a.communications_confirmed_by),
                        a.communications_confirmed_at,
                        a.launched_on,
                        a.administrator_count,
                        a.is_below_minimum,
                        a.last_recertified_on,  # type: ignore[attr-defined]  # with_last_recertification
                        a.next_review_on,
                        a.is_review_overdue,
                    ]
                    for a in accounts.iterator(chunk_size=1000)
                ),
                pdf_columns=(0, 1, 5, 8, 10, 13, 14, 15, 16, 17),
            ),
            Table(
                "accounts/administrators.csv",
                _("Designated administrators during the period"),
                [
                    _("Account"),
                    _("Network"),
                    _("Administrator"),
                    _("E-mail"),
                    _("Role"),
                    _("From"),
                    _("Ended on"),
                    _("Acknowledged the guidelines on"),
                    _("Counted on the last day"),
                ],
                (
                    [
                        d.account.display_name,
                        d.account.platform.name,
                        person(d.user),
                        d.user.email,
                        d.get_role_display(),
                        d.starts_on,
                        d.ends_on,
                        d.policy_acknowledged_on,
                        d.pk in counted,
                    ]
                    for d in designations.iterator(chunk_size=1000)
                ),
                pdf_columns=(0, 1, 2, 4, 5, 6, 7, 8),
            ),
            Table(
                "accounts/reviews.csv",
                _("Reviews during the period"),
                [
                    _("Account"),
                    _("Network"),
                    _("Reviewed on"),
                    _("Reviewed by"),
                    _("Outcome"),
                    _("Administrators confirmed"),
                    _("Purpose confirmed"),
                    _("Follows the policy"),
                ],
                (
                    [
                        r.account.display_name,
                        r.account.platform.name,
                        r.reviewed_on,
                        person(r.reviewed_by),
                        r.get_outcome_display(),
                        r.administrators_confirmed,
                        r.purpose_confirmed,
                        r.follows_policy,
                    ]
                    for r in reviews.iterator(chunk_size=1000)
                ),
            ),
        ],
    )


# --- 3. Staff disclosures --------------------------------------------------------------------------

DISCLOSURE_COLUMNS = ("total", "filed", "not_started", "draft", "late", "filed_late", "waiting_review", "accepted")


def disclosures_section(scope: Scope) -> Section:
    district, on = scope.district, scope.on
    section = Section(
        "disclosures",
        _("Annual staff disclosures"),
        _(
            "%(reference)s: every employee discloses, each school year, the student-group or public networks they "
            "take part in (or attests to none), signed and dated, to whom the policy says."
        )
        % {"reference": scope.reference},
        quote(district, "disclosure_required", "disclosure_recipient"),
    )
    if not disclosures_enabled(district):
        section.notes.append(_("The policy asks for no annual disclosure: there is nothing to show."))
        return section
    cycle = disclosure_selectors.cycle_for_year(district, on)
    if cycle is None:
        section.notes.append(
            _("No disclosure cycle was set up for the school year of %(day)s: nobody could file.") % {"day": cell(on)}
        )
        return section
    staff = disclosure_selectors.staff_who_must_file(cycle, on)
    totals = disclosure_selectors.tracking_totals(staff, cycle, on)
    schools = district.schools.filter(active=True)
    by_school = disclosure_selectors.tracking_by_school(staff, cycle, schools, on)
    labels = {category.key: category.label for category in disclosure_selectors.CATEGORIES}
    late = disclosure_selectors.in_category(staff, cycle, "late", on).order_by("last_name", "first_name", "pk")
    filed_late = disclosure_selectors.in_category(staff, cycle, "filed_late", on).order_by(
        "last_name", "first_name", "pk"
    )

    def late_rows() -> Iterator[list[object]]:
        for key, people in (("late", late), ("filed_late", filed_late)):
            for user in people.iterator(chunk_size=1000):
                yield [person(user), user.email, labels[key]]

    section.figures = [
        (_("Cycle"), str(cycle)),
        (_("Opened on"), cell(cycle.opens_on)),
        (_("Due on"), cell(cycle.due_on)),
        (_("Staff who must file"), str(totals["total"])),
        (_("Filed"), str(totals["filed"])),
        (_("Late: not filed by the due date"), str(totals["late"])),
        (_("Filed after the due date"), str(totals["filed_late"])),
    ]
    header = [_("School"), _("Staff who must file"), _("Filed")] + [
        labels[key] for key in DISCLOSURE_COLUMNS if key in labels
    ]
    section.tables = [
        Table(
            "disclosures/by_school.csv",
            _("Disclosures by school"),
            header,
            [[row["school"].name, *(row[key] for key in DISCLOSURE_COLUMNS)] for row in by_school]
            + [[_("Whole district (each person once)"), *(totals[key] for key in DISCLOSURE_COLUMNS)]],
        ),
        Table("disclosures/late.csv", _("Late filings"), [_("Employee"), _("E-mail"), _("Why")], late_rows()),
    ]
    return section


# --- 4. Photo consent ------------------------------------------------------------------------------


def consent_section(scope: Scope) -> Section:
    district, on = scope.district, scope.on
    students = Student.objects.filter(district=district, active=True)
    schools = list(district.schools.filter(active=True).order_by("name", "pk"))

    def rows() -> Iterator[list[object]]:
        for consent_scope in consent_selectors.active_scopes(district):
            counts = measures.consent_by(students, consent_scope, on, "school")
            for school in schools:
                found = counts.get(school.pk, dict.fromkeys(measures.CONSENT_FIELDS, 0))
                yield [consent_scope.name, school.name, *(found[name] for name in measures.CONSENT_FIELDS)]

    return Section(
        "consent",
        _("Parental photo consent"),
        _(
            "%(reference)s: for every student, the family's answer on whether their image may be posted, under the "
            "district's model, so staff can see before posting who must not appear. Counts only: no student is named."
        )
        % {"reference": scope.reference},
        quote(
            district,
            "photo_model",
            "public_arena_exception",
            "social_media_photo_lists",
            "personal_site_student_photos",
            "consent_renewed_each_school_year",
        ),
        figures=[(_("Students enrolled"), str(students.count()))],
        tables=[
            Table(
                "consent/coverage_by_school.csv",
                _("Answers by school and consent scope"),
                [_("Consent scope"), _("School"), _("Students"), _("Yes"), _("No or withdrawn"), _("No answer")],
                rows(),
            )
        ],
    )


# --- 5. Approved tools -----------------------------------------------------------------------------


def tools_section(scope: Scope) -> Section:
    district, on = scope.district, scope.on
    tools = tool_selectors.tools_of(district.pk)
    overdue = set(tool_selectors.tool_reviews_overdue(tools, on).values_list("pk", flat=True))
    expired = set(tool_selectors.privacy_agreements_expired(tools, on).values_list("pk", flat=True))
    listed = tools.select_related("decided_by").order_by("name", "pk")
    return Section(
        "tools",
        _("Approved tools"),
        _(
            "%(reference)s: social media and online tools are used for instruction only once approved by whom the "
            "policy names, under their conditions, with a student-data privacy agreement, and reviewed regularly."
        )
        % {"reference": scope.reference},
        quote(district, "tool_approver", "tool_list_visibility", "tool_review_interval_months", "logo_use_approver"),
        figures=[
            (_("Tools on the list"), str(tools.count())),
            (_("In use with their review overdue"), str(len(overdue))),
            (_("In use with their privacy agreement ended"), str(len(expired))),
        ],
        tables=[
            Table(
                "tools/tools.csv",
                _("Tools, their decisions and privacy agreements"),
                [
                    _("Tool"),
                    _("Vendor"),
                    _("Status"),
                    _("Decided by"),
                    _("Decided as"),
                    _("Decided on"),
                    _("Written record"),
                    _("Conditions"),
                    _("Parental consent required"),
                    _("Privacy agreement on file"),
                    _("Privacy agreement expires on"),
                    _("Privacy agreement ended"),
                    _("Next review"),
                    _("Review overdue"),
                ],
                (
                    [
                        t.name,
                        t.vendor,
                        t.get_status_display(),
                        person(t.decided_by),
                        t.get_decided_as_display(),
                        t.decided_on,
                        t.decision_reference,
                        t.conditions,
                        t.parental_consent_required,
                        t.privacy_agreement_on_file,
                        t.privacy_agreement_expires_on,
                        t.pk in expired,
                        t.next_review_on,
                        t.pk in overdue,
                    ]
                    for t in listed.iterator(chunk_size=1000)
                ),
                pdf_columns=(0, 2, 3, 5, 9, 10, 12, 13),
            )
        ],
    )


# --- 6. Authorizations -----------------------------------------------------------------------------


def authorizations_section(scope: Scope) -> Section:
    district, on = scope.district, scope.on
    everything = Authorization.objects.filter(district=district)
    in_force = set(authorization_selectors.authorizations_in_force(everything, on).values_list("pk", flat=True))
    ready = (
        authorization_selectors.with_readiness(everything, on)
        .select_related("tool", "program__school", "staff_member", "decided_by")
        .order_by("tool__name", "program__name", "pk")
    )
    not_ready = authorization_selectors.authorizations_not_ready(everything, on).count()
    return Section(
        "authorizations",
        _("Authorizations to use a public network with students"),
        _(
            "%(reference)s: a public network is used with students only with the authorization of whom the policy "
            "names, and with the families' consent to participate. Counts only: no student is named."
        )
        % {"reference": scope.reference},
        quote(district, "instructional_use_approver", "tool_limits_exception_allowed"),
        figures=[
            (_("Authorizations in force"), str(len(in_force))),
            (_("In force but not ready (a family's consent missing)"), str(not_ready)),
        ],
        tables=[
            Table(
                "authorizations/authorizations.csv",
                _("Authorizations and their readiness"),
                [
                    _("Tool"),
                    _("Class or program"),
                    _("School"),
                    _("Staff member"),
                    _("Status"),
                    _("Decided by"),
                    _("Decided at"),
                    _("From"),
                    _("Until"),
                    _("In force"),
                    _("Needs consent"),
                    _("Students enrolled"),
                    _("Families who said yes"),
                    _("Ready"),
                ],
                (
                    [
                        a.tool.name,
                        a.program.name,
                        a.program.school.name,
                        person(a.staff_member),
                        a.get_status_display(),
                        person(a.decided_by),
                        a.decided_at,
                        a.starts_on,
                        a.ends_on,
                        a.pk in in_force,
                        a.needs_consent,
                        a.enrolled,
                        a.covered,
                        a.is_ready,
                    ]
                    for a in ready.iterator(chunk_size=1000)
                ),
                pdf_columns=(0, 1, 2, 4, 9, 11, 12, 13),
            )
        ],
    )


# --- 7. Reminders ----------------------------------------------------------------------------------


def _kind_label(key: str) -> str:
    kind = KINDS_BY_KEY.get(key)
    return kind.label if kind else key


def reminders_section(scope: Scope) -> Section:
    district, period = scope.district, scope.period
    log = reminder_selectors.log_of(district).filter(planned_at__gte=period.since, planned_at__lt=period.until)
    by_kind = log.order_by().values("kind", "status").annotate(n=Count("pk")).order_by("kind", "status")
    return Section(
        "reminders",
        _("Reminders sent"),
        _(
            "The reminders that keep %(reference)s on time: each person gets the e-mail they need before a due date "
            "and while overdue, at the intervals the profile sets."
        )
        % {"reference": scope.reference},
        quote(district, "reminder_days_before_due", "overdue_reminder_interval_days"),
        tables=[
            Table(
                "reminders/by_kind.csv",
                _("Reminders by kind"),
                [_("Reminder"), _("Status"), _("How many")],
                [[_kind_label(row["kind"]), row["status"], row["n"]] for row in by_kind],
            ),
            Table(
                "reminders/reminders.csv",
                _("Every reminder of the period"),
                [_("Planned at"), _("Reminder"), _("To"), _("E-mail"), _("Status"), _("Sent at")],
                (
                    [
                        r.planned_at,
                        _kind_label(r.kind),
                        person(r.recipient) if r.recipient else _("A family"),
                        r.recipient.email if r.recipient else "",
                        r.get_status_display(),
                        r.sent_at,
                    ]
                    for r in log.iterator(chunk_size=1000)
                ),
                pdf_columns=(0, 1, 2, 4, 5),
            ),
        ],
    )


# --- 8. The audit log ------------------------------------------------------------------------------


def audit_section(scope: Scope) -> Section:
    kinds: Counter[str] = Counter()

    def rows() -> Iterator[list[object]]:
        for entry in audit_selectors.audit_entries(scope.district, scope.period):
            kinds[entry.kind] += 1
            # A consent answer names the student it is about: the pack keeps the answer, not the name.
            name = STUDENT_WITHHELD if entry.kind == "Consent answer" else entry.name
            yield [
                entry.when,
                entry.who,
                entry.who_email,
                entry.action,
                entry.kind,
                name,
                entry.school,
                entry.summary,
                entry.changes_text(),
            ]

    def add_kinds(section: Section) -> None:
        section.figures = [(kind, str(n)) for kind, n in kinds.most_common()]

    return Section(
        "audit",
        _("The audit log of the period"),
        _(
            "Every change to the records above, with who made it and when, as %(reference)s asks the district to be "
            "able to show. Consent answers are listed without the student's name."
        )
        % {"reference": scope.reference},
        [],
        tables=[
            Table(
                "audit/audit_log.csv",
                _("Every change of the period, newest first"),
                [
                    _("When"),
                    _("Who"),
                    _("E-mail"),
                    _("Action"),
                    _("What"),
                    _("Name"),
                    _("School"),
                    _("Summary"),
                    _("Changes"),
                ],
                rows(),
                pdf_columns=(0, 1, 4, 5, 7),
            )
        ],
        after=add_kinds,
    )


SECTIONS: tuple[tuple[str, Callable[[Scope], Section]], ...] = (
    ("policy", policy_section),
    ("accounts", accounts_section),
    ("disclosures", disclosures_section),
    ("consent", consent_section),
    ("tools", tools_section),
    ("authorizations", authorizations_section),
    ("reminders", reminders_section),
    ("audit", audit_section),
)


def scope_of(district: District, period: Period, today: datetime.date) -> Scope:
    return Scope(district, period, min(period.last, today))
