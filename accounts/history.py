"""The directory's history sources: the district's policy profile, staff members and their roles,
read through core.history for their pages and the district's audit log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.models import District, Membership, PolicyDocument, Role, School, User
from core.history import QUIET_BY_DEFAULT, HistoryPage, Source, history_page, person, related


def district_source(rows: Q) -> Source:
    return Source(model=District, rows=rows, kind="District policy", quiet=QUIET_BY_DEFAULT | {"slug"})


def policy_document_source(rows: Q) -> Source:
    return Source(
        model=PolicyDocument,
        rows=rows,
        kind="Policy document",
        name=lambda row: f"Policy {row.number}, version {row.version}",
    )


def staff_source(rows: Q) -> Source:
    return Source(
        model=User,
        rows=rows,
        kind="Staff member",
        name=lambda row: f"{row.first_name} {row.last_name}".strip() or row.email,
        quiet=QUIET_BY_DEFAULT | {"date_joined", "roster_sourced_id"},
    )


def school_source(rows: Q) -> Source:
    return Source(
        model=School,
        rows=rows,
        kind="School",
        name=lambda row: row.name,
        quiet=QUIET_BY_DEFAULT | {"roster_sourced_id", "entered_by_hand_by"},
    )


def membership_source(rows: Q) -> Source:
    def name(row: Any) -> str:
        return f"{Role(row.role).label if row.role in Role.values else row.role}: {row.audit_person}"

    return Source(
        model=Membership,
        rows=rows,
        kind="Role",
        name=name,
        school=lambda row: row.audit_school or "",
        labels={"audit_person": person("user_id"), "audit_school": related(School, "school_id", "name")},
    )


def staff_history(member: Any, *, number: int = 1) -> HistoryPage:
    """A staff member's page: their profile and every role they held."""
    return history_page([staff_source(Q(id=member.pk)), membership_source(Q(user_id=member.pk))], number=number)


def school_history(school: Any, *, number: int = 1) -> HistoryPage:
    return history_page([school_source(Q(id=school.pk))], number=number)


def district_history(district: Any, *, number: int = 1) -> HistoryPage:
    return history_page([district_source(Q(id=district.pk))], number=number)
