"""The registry's history sources: official accounts, their administrators, reviews and logo
permissions, each named in words a principal reads. Pages and the district's audit log read them
through core.history."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import School
from core.history import QUIET_BY_DEFAULT, Entry, HistoryPage, Source, history_page, person, recorded, related
from registry.models import (
    AccountAdministrator,
    AccountLogoPermission,
    AccountReview,
    AdministratorRole,
    FakeAccountReport,
    Platform,
    ReviewOutcome,
    SocialAccount,
)
from tools.history import DECISION_BOOKKEEPING, choice_label, logo_permission_source


def account_source(rows: Q) -> Source:
    return Source(
        model=SocialAccount,
        rows=rows,
        kind="Official account",
        name=lambda row: f"{row.display_name} ({row.audit_platform})",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_platform": related(Platform, "platform_id", "name"),
            "audit_school": related(School, "school_id", "name"),
        },
        quiet=QUIET_BY_DEFAULT | DECISION_BOOKKEEPING | {"communications_confirmed_by", "communications_confirmed_at"},
    )


def _administrator_summary(entry: Entry, row: Any) -> str:
    person_name = row.audit_person
    if entry.action == "created":
        return f"{person_name} designated {choice_label(AdministratorRole, row.role).lower()}"
    if entry.action == "deleted":
        return f"{person_name} removed"
    ended = entry.changed("ends_on")
    if ended is not None and ended.old == "—":
        return f"{person_name}'s designation ended"
    return f"{person_name}'s designation changed"


def administrator_source(rows: Q) -> Source:
    return Source(
        model=AccountAdministrator,
        rows=rows,
        kind="Account administrator",
        name=lambda row: f"{row.audit_person} on {row.audit_account or 'a removed account'}",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_person": person("user_id"),
            "audit_account": recorded(SocialAccount, "account_id", "display_name"),
            "audit_school": recorded(SocialAccount, "account_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | {"account", "user", "added_by"},
        describe=_administrator_summary,
    )


def _review_summary(entry: Entry, row: Any) -> str:
    if entry.action == "created":
        return f"Reviewed: {choice_label(ReviewOutcome, row.outcome).lower()}"
    return entry.reason or entry.action_label


def review_source(rows: Q) -> Source:
    return Source(
        model=AccountReview,
        rows=rows,
        kind="Account review",
        name=lambda row: row.audit_account or "a removed account",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_account": recorded(SocialAccount, "account_id", "display_name"),
            "audit_school": recorded(SocialAccount, "account_id", "school__name"),
        },
        quiet=QUIET_BY_DEFAULT | {"account", "reviewed_by"},
        describe=_review_summary,
    )


def fake_report_source(rows: Q, *, withhold_reporter: bool = False) -> Source:
    """A report's history. The district's audit log (read by the superintendent too, who does not read
    the reports) withholds what the reporter wrote and how to reach them: a family's address, and
    details that may name a student. The report's own page, the director's, shows them."""
    quiet = QUIET_BY_DEFAULT | {"verdict_by", "outcome_by", "platform_reported_by"}
    return Source(
        model=FakeAccountReport,
        rows=rows,
        kind="Report of a page claiming to be ours",
        name=lambda row: row.handle or row.address,
        school=lambda row: "",
        quiet=quiet | {"details", "reporter_contact"} if withhold_reporter else quiet,
    )


# --- One object's history, for its page --------------------------------------------------------


def account_history(account: SocialAccount, *, number: int = 1) -> HistoryPage:
    """The account, its administrators, its reviews and its logo permissions."""
    return history_page(
        [
            account_source(Q(id=account.pk)),
            administrator_source(Q(account_id=account.pk)),
            review_source(Q(account_id=account.pk)),
            logo_permission_source(AccountLogoPermission, Q(subject_id=account.pk)),
        ],
        number=number,
    )


def fake_report_history(report: FakeAccountReport, *, number: int = 1) -> HistoryPage:
    return history_page([fake_report_source(Q(id=report.pk))], number=number)
