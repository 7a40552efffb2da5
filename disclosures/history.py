"""The disclosures' history sources: cycles, each version of a disclosure and its networks. The
disclosure's page and the district's audit log read them through core.history."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from accounts.models import District, Role, School, SchoolYear
from core.history import (
    QUIET_BY_DEFAULT,
    Entry,
    HistoryPage,
    Source,
    full_name,
    history_page,
    person,
    recorded,
    related,
)
from disclosures.models import DisclosedNetwork, Disclosure, DisclosureCycle, DisclosureState


def _roles(value: Any) -> str:
    return ", ".join(str(Role(role).label) if role in Role.values else str(role) for role in value)


def cycle_source(rows: Q) -> Source:
    return Source(
        model=DisclosureCycle,
        rows=rows,
        kind="Disclosure cycle",
        name=lambda row: f"{SchoolYear(row.school_year_start, row.audit_start_month).label} disclosures",
        labels={"audit_start_month": related(District, "district_id", "school_year_start_month")},
        quiet=QUIET_BY_DEFAULT | {"attestation_hash", "created_by"},
        displays={"required_roles": _roles},
    )


def _version_summary(entry: Entry, row: Any) -> str:
    return f"Version {row.version}: {entry.reason or entry.action_label}"


def disclosure_source(rows: Q) -> Source:
    return Source(
        model=Disclosure,
        rows=rows,
        kind="Staff disclosure",
        name=lambda row: f"{row.audit_employee}, version {row.version}",
        labels={"audit_employee": person("employee_id")},
        # Timestamps and the signed text's fingerprint are bookkeeping: the entry says when and who.
        quiet=QUIET_BY_DEFAULT
        | {"cycle", "employee", "attestation_hash", "signed_at", "submitted_at", "decided_by", "decided_at"}
        | {"superseded_at"},
        fk_labels={
            "amends": related(
                Disclosure,
                "amends_id",
                Concat(Value("version "), Cast("version", CharField()), output_field=CharField()),
            )
        },
        describe=_version_summary,
    )


def _network_summary(entry: Entry, row: Any) -> str:
    version = row.audit_version if row.audit_version is not None else "?"
    what = "removed" if entry.action == "deleted" else (entry.reason or entry.action_label).lower()
    return f"Version {version}: “{row.name}” {what}"


def network_source(rows: Q) -> Source:
    return Source(
        model=DisclosedNetwork,
        rows=rows,
        kind="Disclosed network",
        name=lambda row: f"{row.name} on {row.audit_employee or 'a discarded draft'}",
        school=lambda row: row.audit_school or "",
        labels={
            "audit_version": recorded(Disclosure, "disclosure_id", "version"),
            "audit_employee": recorded(Disclosure, "disclosure_id", full_name("employee__")),
            "audit_school": related(School, "school_id", "name"),
        },
        quiet=QUIET_BY_DEFAULT | {"disclosure", "carried_from", "position"},
        describe=_network_summary,
    )


def disclosure_history(disclosure: Disclosure, *, number: int = 1, signed_only: bool = False) -> HistoryPage:
    """Every version of the employee's disclosure for the cycle, and their networks. A reviewer
    (`signed_only`) reads only the versions that were filed: a draft being written, or one thrown
    away, is the employee's own until they sign it."""
    versions = Q(cycle_id=disclosure.cycle_id, employee_id=disclosure.employee_id)
    if signed_only:
        version_ids = Disclosure.objects.filter(versions).exclude(state=DisclosureState.DRAFT).values("id")
        versions &= Q(id__in=version_ids)
    else:
        version_ids = Disclosure.history.filter(versions).values("id")
    return history_page([disclosure_source(versions), network_source(Q(disclosure_id__in=version_ids))], number=number)
