"""Every obligation the product tracks, one definition each: who owes it, what it is, by when, why,
how urgent, and the page that does it.

Two kinds of list are built here. A school's or a district's list is made from its measures alone
(no queries), for a reader: a principal, or district leadership; the school dashboard, the district
dashboard, the principal's weekly digest and the home page all show that list. A person's own list
(their disclosure, the accounts they administer, the requests they made) and the lists that come
with a role (decisions for the Superintendent and designees, pages to see for the communications
office, forms for the clerks) are read with a fixed number of queries, whatever the district's size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import access as accounts_access
from accounts import selectors as account_selectors
from accounts.models import District, Role, RosterImportStatus, School, SchoolYear, User
from authorizations import selectors as authorization_selectors
from authorizations.models import Authorization, AuthorizationStatus
from compliance import notions
from compliance.items import Checked, Item, Urgency, ordered
from compliance.measures import SchoolMeasures, consent_by
from compliance.notions import CycleToday
from compliance.readers import Reader
from consent import access as consent_access
from consent import selectors as consent_selectors
from consent.models import ConsentImport, ConsentImportStatus, ConsentScope
from disclosures import selectors as disclosure_selectors
from disclosures.models import DisclosureState
from registry import selectors as registry_selectors
from registry.models import LIVE_STATUSES, AccountStatus, FakeAccountReport, FakeReportProblem, SocialAccount
from tools import access as tool_access
from tools import selectors as tool_selectors
from tools.models import ApprovalPower, ToolRequest, ToolRequestStatus

# How long the answer to someone's own request stays on their list after it was decided.
ANSWER_SHOWN_DAYS = 14
# How many of each kind of request a home page lists (the newest; the request pages list them all).
REQUESTS_SHOWN = 10
# Within this many days of the due date, what is not late yet is "soon" rather than "later".
SOON_DAYS = 14


def _day(value: datetime.date) -> str:
    return date_format(value, "F j, Y")


def _soon_or_later(due_on: datetime.date, on: datetime.date, window: int = SOON_DAYS) -> Urgency:
    return Urgency.SOON if (due_on - on).days <= window else Urgency.LATER


# --- A school's or a district's list, from its measures --------------------------------------


@dataclass(frozen=True)
class Where:
    """Whose list it is, and how its links narrow to it (a school, or the whole district)."""

    district: District
    school: School | None
    scope: ConsentScope | None

    def accounts(self, attention: str) -> str:
        url = reverse("registry:account_list") + f"?attention={attention}"
        return url + (f"&school={self.school.pk}" if self.school else "")

    def disclosures(self, cycle_today: CycleToday, category: str) -> str:
        if cycle_today.cycle is None:
            return reverse("disclosures:cycle_list")
        url = reverse("disclosures:cycle_detail", args=[cycle_today.cycle.pk]) + f"?category={category}"
        return url + (f"&school={self.school.pk}" if self.school else "")

    def consent_to_collect(self) -> str:
        if self.school is None:
            return reverse("consent:home")
        url = reverse("consent:no_answer", args=[self.school.pk])
        return url + (f"?scope={self.scope.pk}" if self.scope else "")


def measure_items(
    m: SchoolMeasures, *, where: Where, cycle: CycleToday, reader: Reader, on: datetime.date
) -> list[Item]:
    """What the figures ask of this reader, most urgent first (no queries)."""
    items: list[Item] = []
    if m.accounts_below_minimum and reader.names_administrators:
        items.append(
            Item(
                "accounts_below_minimum",
                Urgency.URGENT,
                ngettext(
                    "Name administrators for %(count)s official account",
                    "Name administrators for %(count)s official accounts",
                    m.accounts_below_minimum,
                )
                % {"count": f"{m.accounts_below_minimum:,}"},
                _(
                    "They have fewer administrators than the policy's minimum: if the only one leaves, "
                    "nobody can post, answer families or close the account."
                ),
                where.accounts("below_minimum"),
                m.accounts_below_minimum,
            )
        )
    if cycle.missing and reader.opens_cycles:
        year = where.district.school_year_for(on)
        items.append(
            Item(
                "disclosure_cycle_missing",
                Urgency.URGENT,
                _("Open the %(year)s disclosure cycle") % {"year": year.label},
                _(
                    "The policy asks every employee to disclose their networks with students each school year. "
                    "The school year began on %(start)s and nobody can file until the cycle is open: "
                    "%(count)s staff count as not filed."
                )
                % {"start": _day(year.starts_on), "count": f"{m.staff_to_file:,}"},
                reverse("disclosures:cycle_new", args=[where.district.slug]),
                max(1, m.staff_to_file),
                year.starts_on,
            )
        )
    if m.disclosures_late and reader.follows_disclosures and cycle.cycle is not None:
        items.append(
            Item(
                "disclosures_late",
                Urgency.URGENT,
                ngettext(
                    "Follow up %(count)s late disclosure",
                    "Follow up %(count)s late disclosures",
                    m.disclosures_late,
                )
                % {"count": f"{m.disclosures_late:,}"},
                _("These staff members have not filed this year's disclosure and their due date has passed."),
                where.disclosures(cycle, "late"),
                m.disclosures_late,
                cycle.cycle.due_on,
            )
        )
    if m.authorizations_not_ready and reader.records_consent:
        items.append(
            Item(
                "authorizations_not_ready",
                Urgency.URGENT,
                ngettext(
                    "Collect consent for %(count)s class tool",
                    "Collect consent for %(count)s class tools",
                    m.authorizations_not_ready,
                )
                % {"count": f"{m.authorizations_not_ready:,}"},
                _(
                    "The tool is authorized, but not every enrolled student's family has said yes: "
                    "students without consent must not use it."
                ),
                reverse("authorizations:list"),
                m.authorizations_not_ready,
            )
        )
    if m.accounts_review_overdue and reader.reviews_accounts:
        items.append(
            Item(
                "accounts_review_overdue",
                Urgency.URGENT,
                ngettext(
                    "Review %(count)s overdue account",
                    "Review %(count)s overdue accounts",
                    m.accounts_review_overdue,
                )
                % {"count": f"{m.accounts_review_overdue:,}"},
                _(
                    "Their periodic review date has passed: "
                    "confirm they are still used, still needed and correctly run."
                ),
                where.accounts("review_overdue"),
                m.accounts_review_overdue,
            )
        )
    if m.accounts_awaiting_approval and reader.decides_accounts:
        items.append(
            Item(
                "accounts_awaiting_approval",
                Urgency.SOON,
                ngettext(
                    "Decide on %(count)s account request",
                    "Decide on %(count)s account requests",
                    m.accounts_awaiting_approval,
                )
                % {"count": f"{m.accounts_awaiting_approval:,}"},
                _("Staff are waiting to hear whether they may open these accounts."),
                where.accounts("awaiting_approval"),
                m.accounts_awaiting_approval,
            )
        )
    if m.accounts_awaiting_communications and reader.confirms_communications:
        items.append(_pages_to_see(m.accounts_awaiting_communications, where.accounts("awaiting_communications")))
    if m.consent_forms_asked and m.consent_no_answer and reader.records_consent:
        items.append(
            Item(
                "consent_forms_to_collect",
                Urgency.SOON,
                ngettext(
                    "Collect %(count)s consent form",
                    "Collect %(count)s consent forms",
                    m.consent_no_answer,
                )
                % {"count": f"{m.consent_no_answer:,}"},
                _("Without a family's written answer, the student's picture must not be posted."),
                where.consent_to_collect(),
                m.consent_no_answer,
            )
        )
    if m.disclosures_pending and reader.follows_disclosures and cycle.cycle is not None:
        due_on = cycle.cycle.due_on
        items.append(
            Item(
                "disclosures_pending",
                _soon_or_later(due_on, on),
                ngettext(
                    "Remind %(count)s staff member to file their disclosure",
                    "Remind %(count)s staff members to file their disclosure",
                    m.disclosures_pending,
                )
                % {"count": f"{m.disclosures_pending:,}"},
                _("Not filed yet; due %(day)s. They get e-mail reminders too.") % {"day": _day(due_on)},
                where.disclosures(cycle, "not_started"),
                m.disclosures_pending,
                due_on,
            )
        )
    if m.accounts_review_due_soon and reader.reviews_accounts:
        items.append(
            Item(
                "accounts_review_due_soon",
                Urgency.LATER,
                ngettext(
                    "Plan %(count)s account review",
                    "Plan %(count)s account reviews",
                    m.accounts_review_due_soon,
                )
                % {"count": f"{m.accounts_review_due_soon:,}"},
                _("Due within the next 30 days."),
                where.accounts("review_due_soon"),
                m.accounts_review_due_soon,
            )
        )
    return ordered(items)


def _pages_to_see(count: int, url: str) -> Item:
    return Item(
        "accounts_awaiting_communications",
        Urgency.SOON,
        ngettext("See %(count)s page before launch", "See %(count)s pages before launch", count)
        % {"count": f"{count:,}"},
        _("The policy asks the communications office to see each official page before it goes live."),
        url,
        count,
    )


def measures_checked(m: SchoolMeasures, cycle: CycleToday, name: str) -> list[Checked]:
    """What an empty list of a school or district was checked against."""
    checked = [
        Checked(
            ngettext(
                "%(count)s live official account of %(name)s",
                "%(count)s live official accounts of %(name)s",
                m.accounts_live,
            )
            % {"count": f"{m.accounts_live:,}", "name": name}
        )
    ]
    if cycle.cycle is not None:
        checked.append(
            Checked(
                _("%(filed)s of %(total)s disclosures filed")
                % {"filed": m.disclosures_filed, "total": m.staff_to_file},
            )
        )
    elif cycle.opens_on is not None:
        checked.append(Checked(_("This year's disclosures open"), cycle.opens_on, _("Disclosures open")))
    if m.consent_forms_asked:
        checked.append(
            Checked(
                _("%(answered)s of %(students)s families answered")
                % {"answered": m.consent_answered, "students": m.students}
            )
        )
    elif m.students:
        checked.append(Checked(_("%(count)s opt-outs recorded") % {"count": m.consent_opt_outs}))
    return checked


# --- Directory upkeep, for whoever runs the district's directory -----------------------------


def directory_items(district: District) -> list[Item]:
    """The roster and the principals: without them nobody gets the right list (3 queries)."""
    items: list[Item] = []
    latest = account_selectors.latest_roster_import(district)
    if latest is None:
        empty = not district.students.filter(active=True).exists()
        items.append(
            Item(
                "roster_never_imported",
                Urgency.URGENT if empty else Urgency.LATER,
                _("Import your roster"),
                _("%(district)s has no students yet. Upload your OneRoster export or set up the nightly sync.")
                % {"district": district.name}
                if empty
                else _(
                    "Keep schools, staff and students in step with your student information system: "
                    "upload its OneRoster export or set up the nightly sync."
                ),
                reverse("roster_import_list", args=[district.slug]),
            )
        )
    elif latest.status == RosterImportStatus.FAILED:
        items.append(
            Item(
                "roster_refused",
                Urgency.URGENT,
                _("Your last roster import was refused"),
                _("%(count)s problem(s) to fix in %(file)s; nothing was changed.")
                % {"count": latest.report.get("problem_count", 0), "file": latest.file_name},
                latest.get_absolute_url(),
            )
        )
    missing = account_selectors.schools_without_principal(district).count()
    if missing:
        items.append(
            Item(
                "schools_without_principal",
                Urgency.SOON,
                ngettext("Assign a principal to %(count)s school", "Assign principals to %(count)s schools", missing)
                % {"count": missing},
                _("Nobody at these schools gets the school's list, its dashboard or its weekly digest."),
                reverse("school_list") + "?principal=missing",
                missing,
            )
        )
    return items


def accounts_on_unapproved_networks(district: District) -> list[Item]:
    """Live official accounts on a network the tool list does not approve, where the policy ties
    accounts to the list (4118.51): none in other districts, without a query; else two."""
    count = registry_selectors.on_unapproved_networks(district).count()
    if not count:
        return []
    return [
        Item(
            "accounts_on_unapproved_networks",
            Urgency.URGENT,
            ngettext(
                "%(count)s official account is on a network the district does not approve",
                "%(count)s official accounts are on networks the district does not approve",
                count,
            )
            % {"count": count},
            _(
                "Your policy allows no district logo or images on networks the district has not approved: "
                "retire these accounts, or approve the network on the tool list."
            ),
            reverse("registry:account_list") + "?attention=unapproved_network",
            count,
        )
    ]


def people_who_left(district: District) -> list[Item]:
    """Holes left by people who left: live accounts whose staff owner or primary administrator is
    gone, and, where disclosures go to supervisors, staff whose supervisor is none or gone (two
    queries, one where disclosures go elsewhere)."""
    items: list[Item] = []
    accounts = registry_selectors.left_by_their_people(district).count()
    if accounts:
        items.append(
            Item(
                "accounts_left_by_their_people",
                Urgency.URGENT,
                ngettext(
                    "%(count)s live official account's owner or primary administrator has left",
                    "%(count)s live official accounts' owners or primary administrators have left",
                    accounts,
                )
                % {"count": accounts},
                _(
                    "Nobody still in the district answers for these pages: designate a new primary administrator, "
                    "or retire the account of someone who left."
                ),
                reverse("registry:account_list") + "?attention=left_by_their_people",
                accounts,
            )
        )
    unsupervised = account_selectors.without_current_supervisor(district).count()
    if unsupervised:
        items.append(
            Item(
                "staff_without_supervisor",
                Urgency.SOON,
                ngettext(
                    "Name a supervisor for %(count)s staff member",
                    "Name supervisors for %(count)s staff members",
                    unsupervised,
                )
                % {"count": unsupervised},
                _(
                    "Your policy sends each disclosure to the employee's supervisor; these have none, or one "
                    "who has left, so their disclosures reach nobody."
                ),
                reverse("staff_list") + "?supervisor=missing",
                unsupervised,
            )
        )
    return items


# --- The policy itself, for whoever runs the district's program --------------------------------


def policy_items(district: District, on: datetime.date) -> list[Item]:
    """The policy documents past their review date (547: at least annually), and where the rules the
    product applies are not simply the policy profile's (two queries)."""
    items: list[Item] = []
    for document in account_selectors.current_policy_documents(district):
        if document.is_past_review(on):
            due_on = document.review_due_on()
            items.append(
                Item(
                    "policy_review_overdue",
                    Urgency.URGENT,
                    _("Review %(policy)s") % {"policy": str(document)},
                    _("Its review was due on %(day)s: the policy asks for a review every %(months)s months.")
                    % {"day": _day(due_on), "months": district.policy_review_interval_months}
                    if due_on
                    else _("No adoption or review date is recorded: record when it was last reviewed."),
                    reverse("policy_document_list", args=[district.slug]),
                    due_on=due_on,
                )
            )
    differing = consent_selectors.scopes_differing_from_policy(district).count()
    if differing:
        items.append(
            Item(
                "consent_scopes_differ_from_policy",
                Urgency.LATER,
                ngettext(
                    "%(count)s consent scope differs from the policy profile",
                    "%(count)s consent scopes differ from the policy profile",
                    differing,
                )
                % {"count": differing},
                _(
                    "Their do-not-post lists follow a rule of their own, not the profile's. Check that each "
                    "still has a reason, or let it follow the profile again."
                ),
                reverse("consent:scope_list", args=[district.slug]),
                differing,
            )
        )
    return items


# --- The families' technology notice (state student data laws), for the director ------------------


@dataclass(frozen=True)
class TechnologyNoticeOwed:
    """The notice the district owes its families: for which school year, and by when."""

    year: SchoolYear
    due_on: datetime.date


def technology_notice_owed(district: District, on: datetime.date) -> TechnologyNoticeOwed | None:
    """The notice owed on `on`: the next school year's once its reminder window has opened, else this
    year's once its window has opened, while not published. None where the profile requires no
    notice (no query), or once it is published (one query)."""
    window = datetime.timedelta(days=district.reminder_days_before_due)
    this = district.school_year_for(on)
    for year in (this.next(), this):
        due_on = district.technology_notice_due_on(year)
        if due_on is None:
            return None
        if on >= due_on - window:
            if tool_selectors.technology_notice_published(district, year.start_year):
                return None
            return TechnologyNoticeOwed(year, due_on)
    return None


def technology_notice_items(district: District, on: datetime.date) -> list[Item]:
    """The director's line until the notice is published: urgent once its deadline has passed."""
    owed = technology_notice_owed(district, on)
    if owed is None:
        return []
    late = owed.due_on < on
    return [
        Item(
            "technology_notice_due",
            Urgency.URGENT if late else _soon_or_later(owed.due_on, on),
            _("Publish the %(year)s technology notice to families") % {"year": owed.year.label},
            (_("It was due on %(day)s.") if late else _("Due on %(day)s.")) % {"day": _day(owed.due_on)}
            + " "
            + _(
                "State law asks the district to tell families each year which technology providers hold "
                "student data, with their privacy agreements."
            ),
            reverse("tools:technology_notice"),
            due_on=owed.due_on,
        )
    ]


# --- A person's own obligations ---------------------------------------------------------------


@dataclass
class Owed:
    """Items and what was checked, gathered part by part."""

    items: list[Item] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)

    def extend(self, other: Owed) -> None:
        self.items += other.items
        self.checked += other.checked


def own_disclosure(user: User, district: District, cycle: CycleToday, on: datetime.date) -> Owed:
    """The person's disclosure for this school year (one or two queries)."""
    owed = Owed()
    year = district.school_year_for(on)
    if cycle.missing or cycle.cycle is None:
        if cycle.opens_on is not None:
            owed.checked.append(
                Checked(_("Your %(year)s disclosure") % {"year": year.label}, cycle.opens_on, _("Disclosures open"))
            )
        return owed
    this = cycle.cycle
    row = (
        disclosure_selectors.with_status(disclosure_selectors.staff_who_must_file(this, on).filter(pk=user.pk), this)
        .values("disclosure_state", "filing_id", "draft_id", "filing_hash", "started_on")
        .first()
    )
    if row is None:
        return owed  # not asked to file this year (a role the cycle does not name, or not started yet)
    due_on = this.due_on_for(row["started_on"])
    label = _("Your %(year)s disclosure") % {"year": year.label}
    if row["filing_id"] is None:
        late = due_on < on
        owed.items.append(
            Item(
                "own_disclosure_late" if late else "own_disclosure_due",
                Urgency.URGENT
                if late
                else _soon_or_later(due_on, on, max(district.reminder_days_before_due, SOON_DAYS)),
                _("File your %(year)s disclosure") % {"year": year.label},
                (_("It was due on %(day)s.") if late else _("Due on %(day)s.")) % {"day": _day(due_on)}
                + " "
                + _("List the networks where you are in contact with students, or say you have none."),
                reverse("disclosures:home"),
                due_on=due_on,
            )
        )
    elif row["disclosure_state"] == DisclosureState.RETURNED:
        comment = disclosure_selectors.comment_for_employee(row["filing_id"])
        owed.items.append(
            Item(
                "own_disclosure_returned",
                Urgency.URGENT,
                _("Revise your %(year)s disclosure") % {"year": year.label},
                _("Your reviewer returned it: “%(comment)s”") % {"comment": comment}
                if comment
                else _("Your reviewer returned it for changes."),
                reverse("disclosures:detail", args=[row["filing_id"]]),
            )
        )
    elif row["filing_hash"] != this.attestation_hash:
        owed.items.append(
            Item(
                "own_disclosure_sign_again",
                Urgency.SOON,
                _("Sign the new attestation of your %(year)s disclosure") % {"year": year.label},
                _("The district changed the statement you attest to after you filed: sign it again."),
                reverse("disclosures:detail", args=[row["filing_id"]]),
            )
        )
    else:
        owed.checked.append(Checked(label + ": " + _("filed")))
    return owed


def administered_accounts(user: User, district: District, on: datetime.date) -> Owed:
    """Reviews, acknowledgements and launches of the accounts the person administers (two queries)."""
    owed = Owed()
    designations = dict(
        registry_selectors.current_administrators(on)
        .filter(user=user, account__status__in=(*LIVE_STATUSES, AccountStatus.APPROVED))
        .values_list("account_id", "policy_acknowledged_on")
    )
    if not designations:
        return owed
    unacknowledged = {account_id for account_id, acknowledged_on in designations.items() if acknowledged_on is None}
    accounts = (
        registry_selectors.with_attention(SocialAccount.objects.filter(pk__in=designations), on)
        .select_related("platform")
        .order_by("display_name", "pk")
    )
    window = datetime.timedelta(days=district.reminder_days_before_due)
    next_review: tuple[datetime.date, str] | None = None
    for account in accounts:
        name = _("%(account)s on %(platform)s") % {"account": account.display_name, "platform": account.platform.name}
        if account.status == AccountStatus.APPROVED:
            owed.items.append(
                Item(
                    "own_account_launch",
                    Urgency.SOON,
                    _("Launch %(account)s") % {"account": name},
                    _("It is approved: open it on the platform, then record its address and launch date here."),
                    reverse("registry:account_detail", args=[account.pk]),
                )
            )
        elif account.is_review_overdue:
            owed.items.append(
                Item(
                    "own_account_review_overdue",
                    Urgency.URGENT,
                    _("Review %(account)s") % {"account": name},
                    _("Its review was due on %(day)s: confirm it is still used, still needed and correctly run.")
                    % {"day": _day(account.next_review_on)}
                    if account.next_review_on
                    else _("Its review is overdue."),
                    reverse("registry:account_review", args=[account.pk]),
                    due_on=account.next_review_on,
                )
            )
        elif account.next_review_on is not None and account.next_review_on <= on + window:
            owed.items.append(
                Item(
                    "own_account_review_due",
                    Urgency.SOON,
                    _("Review %(account)s") % {"account": name},
                    _("Its review is due on %(day)s.") % {"day": _day(account.next_review_on)},
                    reverse("registry:account_review", args=[account.pk]),
                    due_on=account.next_review_on,
                )
            )
        elif account.next_review_on is not None and (next_review is None or account.next_review_on < next_review[0]):
            next_review = (account.next_review_on, _("Review of %(account)s") % {"account": name})
        if account.pk in unacknowledged:
            required = district.administrator_acknowledgement_required
            owed.items.append(
                Item(
                    "own_account_acknowledgement",
                    # Where the policy requires it, the account does not count them until they do.
                    Urgency.URGENT if required else Urgency.SOON,
                    _("Acknowledge the guidelines for %(account)s") % {"account": name},
                    _(
                        "The policy requires it: until you confirm that you have read the district's social "
                        "media guidelines, the account does not count you as one of its administrators."
                    )
                    if required
                    else _(
                        "As one of its administrators, confirm that you have read "
                        "the district's social media guidelines."
                    ),
                    reverse("registry:account_detail", args=[account.pk]) + "#administrators",
                )
            )
    owed.checked.append(
        Checked(
            ngettext(
                "The %(count)s account you administer",
                "The %(count)s accounts you administer",
                len(designations),
            )
            % {"count": len(designations)},
            next_review[0] if next_review else None,
            next_review[1] if next_review else "",
        )
    )
    return owed


def _answered(decided_at: datetime.datetime | None, on: datetime.date) -> bool:
    return decided_at is not None and (on - timezone.localdate(decided_at)).days <= ANSWER_SHOWN_DAYS


def _request(key: str, status: str, title: str, detail: str, url: str) -> Item:
    """Someone else's turn, or their answer: on the list so the person knows where their request stands."""
    return Item(key, Urgency.LATER, title, detail, url, status=status)


def own_requests(user: User, on: datetime.date) -> Owed:
    """The person's requests waiting for someone (and whom), and the answers of the last two weeks
    (three queries)."""
    owed = Owed()
    since = on - datetime.timedelta(days=ANSWER_SHOWN_DAYS)
    waiting, answered = _("Waiting"), _("Answered")
    accounts = (
        SocialAccount.objects.filter(requested_by=user)
        .filter(Q(status__in=notions.AWAITING_DECISION) | Q(decided_at__date__gte=since))
        .select_related("platform")
        .order_by("-requested_at", "pk")
    )
    for account in accounts[:REQUESTS_SHOWN]:
        title = _("Official account %(account)s on %(platform)s") % {
            "account": account.display_name,
            "platform": account.platform.name,
        }
        url = account.get_absolute_url()
        if account.status == AccountStatus.REQUESTED:
            detail = _("Waiting for the director's approval.")
            owed.items.append(_request("own_account_request", waiting, title, detail, url))
        elif account.status == AccountStatus.AWAITING_COMMUNICATIONS:
            detail = _("Approved; the communications office sees the page before it launches.")
            owed.items.append(_request("own_account_request", waiting, title, detail, url))
        elif account.status == AccountStatus.REJECTED and _answered(account.decided_at, on):
            detail = _("Not approved: %(reason)s") % {"reason": account.decision_reason}
            owed.items.append(_request("own_account_answer", answered, title, detail, url))
    tools = (
        ToolRequest.objects.filter(requested_by=user)
        .filter(Q(status=ToolRequestStatus.WAITING) | Q(decided_at__date__gte=since))
        .order_by("-requested_at", "pk")
    )
    for request in tools[:REQUESTS_SHOWN]:
        title = _("Using %(tool)s") % {"tool": request.tool_name}
        url = request.get_absolute_url()
        if request.status == ToolRequestStatus.WAITING:
            owed.items.append(_request("own_tool_request", waiting, title, _("Waiting for a decision."), url))
        elif request.status != ToolRequestStatus.WITHDRAWN and _answered(request.decided_at, on):
            detail = request.get_status_display() + (f": {request.decision_reason}" if request.decision_reason else ".")
            owed.items.append(_request("own_tool_answer", answered, title, detail, url))
    authorizations = (
        Authorization.objects.filter(requested_by=user)
        .filter(Q(status=AuthorizationStatus.REQUESTED) | Q(decided_at__date__gte=since))
        .select_related("tool", "program")
        .order_by("-requested_at", "pk")
    )
    for authorization in authorizations[:REQUESTS_SHOWN]:
        title = _("Using %(tool)s with %(program)s") % {
            "tool": authorization.tool.name,
            "program": authorization.program.name,
        }
        url = authorization.get_absolute_url()
        if authorization.status == AuthorizationStatus.REQUESTED:
            detail = _("Waiting for authorization.")
            owed.items.append(_request("own_authorization_request", waiting, title, detail, url))
        elif authorization.status in (AuthorizationStatus.AUTHORIZED, AuthorizationStatus.DECLINED) and _answered(
            authorization.decided_at, on
        ):
            detail = authorization.get_status_display() + (
                f": {authorization.decision_reason}" if authorization.decision_reason else "."
            )
            owed.items.append(_request("own_authorization_answer", answered, title, detail, url))
    return owed


def own_classes(user: User, on: datetime.date) -> Owed:
    """Tools the person uses with a class whose families have not all said yes, and those suspended
    lately because the tool left the approved list (one query; a second, the readiness count, only
    for someone who has a tool in use)."""
    owed = Owed()
    since = on - datetime.timedelta(days=ANSWER_SHOWN_DAYS)
    mine = Authorization.objects.filter(staff_member=user, ends_on__gte=on)
    suspended = Q(status=AuthorizationStatus.SUSPENDED, ended_at__date__gte=since)
    relevant = mine.filter(Q(status=AuthorizationStatus.AUTHORIZED) | suspended)
    if not relevant.exists():
        return owed  # most staff: the cheap question spares the readiness count
    rows = authorization_selectors.with_readiness(relevant, on).filter(is_ready=False)
    for authorization in rows.select_related("tool", "program").order_by("starts_on", "pk"):
        if authorization.status == AuthorizationStatus.SUSPENDED:
            owed.items.append(
                Item(
                    "own_class_suspended",
                    Urgency.URGENT,
                    _("Stop using %(tool)s with %(program)s")
                    % {"program": authorization.program.name, "tool": authorization.tool.name},
                    authorization.end_reason,
                    reverse("authorizations:detail", args=[authorization.pk]),
                )
            )
            continue
        missing = authorization.enrolled - authorization.covered
        owed.items.append(
            Item(
                "own_class_missing_consent",
                Urgency.URGENT,
                ngettext(
                    "%(count)s student in %(program)s may not use %(tool)s yet",
                    "%(count)s students in %(program)s may not use %(tool)s yet",
                    missing,
                )
                % {"count": missing, "program": authorization.program.name, "tool": authorization.tool.name},
                _(
                    "Their families have not given consent, or they are outside the tool's grades or minimum age: "
                    "keep them off the tool."
                ),
                reverse("authorizations:detail", args=[authorization.pk]),
                max(1, missing),
            )
        )
    return owed


# --- What comes with a role -------------------------------------------------------------------


def pages_before_launch(district: District) -> list[Item]:
    """The communications office: pages to see before launch, and live pages it never saw (two queries)."""
    count = (
        notions.accounts_awaiting_decision(SocialAccount.objects.filter(district=district))
        .filter(status=AccountStatus.AWAITING_COMMUNICATIONS)
        .count()
    )
    url = reverse("registry:account_list") + "?attention=awaiting_communications"
    items = [_pages_to_see(count, url)] if count else []
    unseen = registry_selectors.live_unseen_by_communications(district).count()
    if unseen:
        items.append(
            Item(
                "live_pages_unseen_by_communications",
                Urgency.SOON,
                ngettext(
                    "See %(count)s live page the office never saw",
                    "See %(count)s live pages the office never saw",
                    unseen,
                )
                % {"count": unseen},
                _(
                    "The policy has the communications office see every page before it launches; these went "
                    "live without it. Look at each and record that you have seen it."
                ),
                reverse("registry:account_list") + "?attention=unseen_by_communications",
                unseen,
            )
        )
    return items


def decisions_waiting(user: User, district: District, on: datetime.date) -> Owed:
    """The Superintendent, designees and whoever records the School Board's decisions: the decisions
    the policy reserves to them that are waiting, and the tools whose review or agreement falls due."""
    owed = Owed()
    if tool_access.can_take_decision(user, district, ApprovalPower.TOOLS):
        waiting = tool_selectors.tool_requests_waiting(district.pk).count()
        if waiting:
            owed.items.append(
                Item(
                    "tool_requests_waiting",
                    Urgency.SOON,
                    ngettext("Decide on %(count)s tool request", "Decide on %(count)s tool requests", waiting)
                    % {"count": waiting},
                    _("Staff are waiting to hear whether they may use these tools."),
                    reverse("tools:request_list"),
                    waiting,
                )
            )
        tools = tool_selectors.tools_of(district.pk)
        window = district.reminder_days_before_due
        overdue = tool_selectors.tool_reviews_overdue(tools, on).count()
        due = tool_selectors.tool_reviews_due(tools, window, on).count() - overdue
        expired = tool_selectors.privacy_agreements_expired(tools, on).count()
        expiring = tool_selectors.privacy_agreements_expiring(tools, window, on).count()
        for key, urgency, count, attention, one, many, why in (
            ("tool_reviews_overdue", Urgency.URGENT, overdue, "review_overdue",
             _("Review %(count)s approved tool: its review is overdue"),
             _("Review %(count)s approved tools: their review is overdue"),
             _("Confirm each is still safe to use with students, or take it off the list.")),
            ("tool_reviews_due", Urgency.SOON, due, "review_due",
             _("Review %(count)s approved tool"), _("Review %(count)s approved tools"),
             _("Their periodic review falls due soon.")),
            ("privacy_agreements_expired", Urgency.URGENT, expired, "agreement_expired",
             _("%(count)s approved tool has no current privacy agreement"),
             _("%(count)s approved tools have no current privacy agreement"),
             _("Without a current agreement the tool may not hold students' data: renew it or set the tool aside.")),
            ("privacy_agreements_expiring", Urgency.SOON, expiring, "agreement_expiring",
             _("Renew %(count)s privacy agreement"), _("Renew %(count)s privacy agreements"),
             _("They end soon; without a current agreement the tool may not hold students' data.")),
        ):  # fmt: skip
            if count:
                title = (one if count == 1 else many) % {"count": count}
                url = reverse("tools:tool_list") + f"?attention={attention}"
                owed.items.append(Item(key, urgency, title, why, url, count))
        owed.checked.append(Checked(_("Tool requests, tool reviews and privacy agreements")))
    if tool_access.can_take_decision(user, district, ApprovalPower.INSTRUCTIONAL_USE):
        waiting = authorization_selectors.authorizations_waiting(
            Authorization.objects.filter(district=district)
        ).count()
        if waiting:
            owed.items.append(
                Item(
                    "authorizations_waiting",
                    Urgency.SOON,
                    ngettext(
                        "Decide on %(count)s request to use a tool with students",
                        "Decide on %(count)s requests to use a tool with students",
                        waiting,
                    )
                    % {"count": waiting},
                    _("Teachers are waiting to hear whether their class may use these tools."),
                    reverse("authorizations:list") + "#waiting",
                    waiting,
                )
            )
        owed.checked.append(Checked(_("Requests to use a tool with students")))
    return owed


def forms_to_collect(schools: list[School], on: datetime.date) -> list[Item]:
    """Per school and written-consent scope, the students whose family has not answered (one query
    per scope): under an opt-out list nothing is missing, so nothing is chased."""
    items: list[Item] = []
    by_pk = {school.pk: school for school in schools}
    for district in {school.district for school in schools}:
        students = consent_selectors.students_of_schools(s.pk for s in schools if s.district_id == district.pk)
        for scope in consent_selectors.active_scopes(district):
            if not notions.chases_answers(scope):
                continue
            counts = consent_by(students, scope, on, "school")
            for school_id, row in sorted(counts.items(), key=lambda kv: by_pk[kv[0]].name):
                missing = row["consent_no_answer"]
                if not missing:
                    continue
                items.append(
                    Item(
                        "consent_forms_to_collect",
                        Urgency.SOON,
                        ngettext(
                            "Collect %(count)s consent form at %(school)s",
                            "Collect %(count)s consent forms at %(school)s",
                            missing,
                        )
                        % {"count": f"{missing:,}", "school": by_pk[school_id].name},
                        _("“%(scope)s”: without a family's written answer, the picture must not be posted.")
                        % {"scope": scope.name},
                        reverse("consent:no_answer", args=[school_id]) + f"?scope={scope.pk}",
                        missing,
                    )
                )
    return items


def consent_for_recorders(user: User, on: datetime.date) -> Owed:
    """Clerks: forms to collect at their schools, and checked consent files waiting to be applied
    (one query)."""
    owed = Owed()
    school_ids = accounts_access.scope_for(user).school_ids({Role.CLERK})
    if school_ids:
        schools = list(School.objects.filter(pk__in=school_ids, active=True).select_related("district"))
        owed.items += forms_to_collect(schools, on)
        owed.checked.append(Checked(_("Consent answers at your school")))
    if not consent_access.can_record_anywhere(user):
        return owed  # uploads consent files only someone who records answers
    checked = ConsentImport.objects.filter(uploaded_by=user, status=ConsentImportStatus.PREVIEWED)
    for consent_import in checked.order_by("created_at", "pk")[:10]:
        owed.items.append(
            Item(
                "consent_answers_to_enter",
                Urgency.SOON,
                _("Apply the answers checked from %(file)s") % {"file": consent_import.file_name},
                ngettext(
                    "%(count)s row was checked and is waiting to be recorded.",
                    "%(count)s rows were checked and are waiting to be recorded.",
                    consent_import.rows_read,
                )
                % {"count": consent_import.rows_read},
                consent_import.get_absolute_url(),
            )
        )
    return owed


# --- Reports of pages claiming to be ours, for the director -------------------------------------

# How long a new report may wait for the director's verdict before it is chased; a report of intimate
# images of a student waits for nothing.
REPORT_LOOK_WITHIN_DAYS = 2


def fake_reports_to_look_at(district: District, now: datetime.datetime) -> QuerySet[FakeAccountReport]:
    """Reports nobody has decided on: urgent ones at once, the others after REPORT_LOOK_WITHIN_DAYS."""
    reports = registry_selectors.fake_reports_of(district.pk)
    waited = registry_selectors.fake_reports_unreviewed(reports, now - datetime.timedelta(days=REPORT_LOOK_WITHIN_DAYS))
    urgent = reports.filter(verdict="", problem=FakeReportProblem.INTIMATE_IMAGES)
    return waited | urgent


def fake_reports_past_deadline(district: District, now: datetime.datetime) -> QuerySet[FakeAccountReport]:
    """Reported to the platform, its deadline passed, and the platform has not removed the page."""
    return registry_selectors.fake_reports_past_deadline(registry_selectors.fake_reports_of(district.pk), now)


def fake_report_items(district: District, now: datetime.datetime) -> list[Item]:
    """The director's list: reports waiting for a look, and platforms past their deadline (two queries)."""
    items: list[Item] = []
    url = reverse("registry:fake_report_list")
    late = fake_reports_past_deadline(district, now).count()
    if late:
        items.append(
            Item(
                "fake_reports_past_deadline",
                Urgency.URGENT,
                ngettext(
                    "Follow up %(count)s reported page: the platform is past its deadline",
                    "Follow up %(count)s reported pages: the platforms are past their deadline",
                    late,
                )
                % {"count": late},
                _(
                    "The platform has not removed the page in the time the law gives it: contact it again and "
                    "record its answer."
                ),
                url,
                late,
            )
        )
    waiting = fake_reports_to_look_at(district, now).count()
    if waiting:
        items.append(
            Item(
                "fake_reports_to_look_at",
                Urgency.URGENT,
                ngettext(
                    "Look at %(count)s page reported as claiming to be ours",
                    "Look at %(count)s pages reported as claiming to be ours",
                    waiting,
                )
                % {"count": waiting},
                _("Say whether each is one of ours; report fakes to the platform so families are not misled."),
                url,
                waiting,
            )
        )
    return items
