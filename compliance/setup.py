"""A district's setup checklist: what it must have in place before its school year, each step read
from the data (never ticked by hand), so a step that later breaks (a roster sync failing night after
night) comes back. The director's home page shows it until every step is done; the installation's
operators see every district's progress. A fixed number of queries per district."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as account_selectors
from accounts.models import (
    District,
    Membership,
    PolicyDocument,
    Role,
    RosterImport,
    RosterImportStatus,
    RosterSource,
    SignInEvent,
    SignInOutcome,
    User,
)
from consent.models import ConsentScope, FamilyLink
from disclosures.models import DisclosureCycle

# A scheduled sync failing this many runs in a row undoes the roster step.
SYNC_FAILURES_TO_REOPEN = 3


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    detail: str
    url: str
    by: str = ""
    at: datetime.datetime | None = None


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _policy(district: District) -> Step:
    documents = PolicyDocument.objects.filter(district=district, current=True).count()
    reviewed = district.policy_reviewed_at is not None
    if reviewed and documents:
        detail = ngettext(
            "Reviewed; %(count)s policy document in force.", "Reviewed; %(count)s policy documents in force.", documents
        ) % {"count": documents}
    elif reviewed:
        detail = _("Reviewed; attach the policy itself (its number, title, version and text or link).")
    else:
        detail = _("Started from a template: read every field against your own policy and save the profile.")
    return Step(
        "policy",
        _("Review the policy profile and attach the policy"),
        reviewed and documents > 0,
        detail,
        reverse("district_edit", args=[district.slug])
        if not reviewed
        else reverse("policy_document_list", args=[district.slug]),
        _name(district.policy_reviewed_by),
        district.policy_reviewed_at,
    )


def _sign_in(district: District) -> Step:
    directors = Membership.objects.filter(district=district, role=Role.DIRECTOR, ended_on__isnull=True).values(
        "user_id"
    )
    tried = (
        SignInEvent.objects.filter(district=district, user_id__in=directors, outcome=SignInOutcome.LINKED)
        .select_related("user")
        .order_by("-pk")
        .first()
    )
    domains = district.sign_in_domain_list
    if not domains:
        detail = _("Staff sign in with passwords until you list your e-mail domains (and Microsoft tenant).")
    elif tried is None:
        detail = _("Domains listed: sign in once with your own district account to test it.")
    else:
        detail = _("Staff of %(domains)s sign in with their district account.") % {"domains": ", ".join(domains)}
    return Step(
        "sign_in",
        _("Set up sign-in with Google or Microsoft, and test it"),
        bool(domains) and tried is not None,
        detail,
        reverse("district_sign_in", args=[district.slug]),
        _name(tried.user) if tried else "",
        tried.at if tried else None,
    )


def _roster(district: District) -> Step:
    applied = (
        RosterImport.objects.filter(district=district, dry_run=False, status=RosterImportStatus.SUCCEEDED)
        .select_related("uploaded_by")
        .order_by("-created_at")
        .first()
    )
    synced = list(
        RosterImport.objects.filter(district=district, source__in=[RosterSource.DROP_FOLDER, RosterSource.API])
        .order_by("-created_at")
        .values_list("status", "created_at")[:SYNC_FAILURES_TO_REOPEN]
    )
    failing = len(synced) == SYNC_FAILURES_TO_REOPEN and all(s == RosterImportStatus.FAILED for s, _ in synced)
    if failing:
        detail = _("The nightly sync has failed %(count)s times in a row since %(day)s: see its report.") % {
            "count": SYNC_FAILURES_TO_REOPEN,
            "day": timezone.localtime(synced[-1][1]).date().isoformat(),
        }
    elif applied is None:
        detail = _("Upload your OneRoster export, or connect the nightly sync, and apply a first import.")
    else:
        detail = _("Schools, staff, students and families come from the roster.")
    return Step(
        "roster",
        _("Connect the roster and apply a first import"),
        applied is not None and not failing,
        detail,
        reverse("roster_import_list", args=[district.slug]),
        _name(applied.uploaded_by) if applied else "",
        applied.created_at if applied else None,
    )


def _consent(district: District) -> Step:
    checked = (
        ConsentScope.history.filter(district_id=district.pk, history_user__district=district)
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    return Step(
        "consent",
        _("Review the questions families are asked"),
        checked is not None,
        _("Checked and saved.")
        if checked
        else _("Open each question, check its wording (and its Spanish) against your forms, and save it."),
        reverse("consent:scope_list", args=[district.slug]),
        _name(checked.history_user) if checked else "",
        checked.history_date if checked else None,
    )


def _disclosures(district: District, on: datetime.date) -> Step | None:
    if not district.disclosure_required:
        return None
    year = district.school_year_for(on)
    cycle = (
        DisclosureCycle.objects.filter(district=district, school_year_start=year.start_year)
        .select_related("created_by")
        .first()
    )
    return Step(
        "disclosures",
        _("Open this school year's disclosures"),
        cycle is not None,
        _("Open for %(year)s.") % {"year": year.label}
        if cycle
        else _("Your policy asks staff to disclose their networks each year: open the cycle for %(year)s.")
        % {"year": year.label},
        reverse("disclosures:cycle_list") if cycle else reverse("disclosures:cycle_new", args=[district.slug]),
        _name(cycle.created_by) if cycle else "",
        None,
    )


def _staff(district: District) -> Step:
    staff = User.objects.filter(district=district, is_active=True)
    total = staff.count()
    uninvited = account_selectors.never_signed_in(district).filter(invited_at__isnull=True).count()
    done = total > 1 and uninvited == 0
    if total <= 1:
        detail = _("Nobody but you yet: the roster brings your staff.")
    elif uninvited:
        detail = ngettext(
            "%(count)s staff member has never been invited.",
            "%(count)s staff members have never been invited.",
            uninvited,
        ) % {"count": uninvited}
    else:
        detail = _("Everyone has been invited or has signed in.")
    last = staff.filter(invited_at__isnull=False).order_by("-invited_at").values_list("invited_at", flat=True).first()
    return Step("staff", _("Invite your staff"), done, detail, reverse("staff_list"), "", last)


def _families(district: District, on: datetime.date) -> Step:
    year = district.school_year_for(on)
    sent = (
        FamilyLink.objects.filter(district=district, school_year__gte=year.start_year, participation_scope__isnull=True)
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )
    return Step(
        "families",
        _("Send families their consent links"),
        sent is not None,
        _("Links sent for %(year)s.") % {"year": year.label}
        if sent
        else _("Each parent or guardian answers online, in their language, or on a printed letter."),
        reverse("consent:family_links"),
        _name(sent.created_by) if sent else "",
        sent.created_at if sent else None,
    )


def _public_pages(district: District) -> Step:
    directory = _("public") if district.public_directory_enabled else _("not public")
    tools = district.get_tool_list_visibility_display()
    return Step(
        "public_pages",
        _("Decide what families see without signing in"),
        district.policy_reviewed_at is not None,
        _("Directory of official accounts: %(directory)s; approved-tool list: %(tools)s.")
        % {"directory": directory, "tools": tools},
        reverse("district_edit", args=[district.slug]),
        _name(district.policy_reviewed_by),
        district.policy_reviewed_at,
    )


def setup_steps(district: District, on: datetime.date | None = None) -> list[Step]:
    """The district's checklist, in the order a director works through it."""
    on = on or timezone.localdate()
    steps = [
        _policy(district),
        _sign_in(district),
        _roster(district),
        _consent(district),
        _disclosures(district, on),
        _staff(district),
        _families(district, on),
        _public_pages(district),
    ]
    return [step for step in steps if step is not None]


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(steps: list[Step]) -> Progress:
    return Progress(sum(1 for step in steps if step.done), len(steps))
