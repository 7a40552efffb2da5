"""Actions that write consent data. Each is one transaction and checks who is acting."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import District, PhotoModel, Program, ProgramMembership, Student, User, school_year_for
from consent import access, importer
from consent.models import (
    ConsentImport,
    ConsentImportStatus,
    ConsentRecord,
    ConsentScope,
    ListViewLog,
    ReceivedBy,
    ScopeKind,
    StudentPurge,
)
from consent.standard import standard_scopes
from registry import services as registry_services
from registry.models import ApprovalPower, AuthorizationStatus, InstructionalUse, Tool, add_months


def consent_record(
    *,
    acting_user: User,
    student: Student,
    scope: ConsentScope,
    decision: str,
    received_on: datetime.date,
    received_by: str = ReceivedBy.PAPER,
    guardian_name: str = "",
    note: str = "",
    school_year: int | None = None,
) -> ConsentRecord:
    """Adds a family's answer. It becomes the current answer at once (a withdrawal included)."""
    if not access.can_record(acting_user, student.school):
        raise PermissionDenied
    if scope.district_id != student.district_id or not scope.active:
        raise ValidationError({"scope": "Choose one of your district's consent scopes."})
    ConsentRecord.check_received_on(received_on, timezone.localdate())
    record = ConsentRecord(
        student=student,
        scope=scope,
        decision=decision,
        received_on=received_on,
        received_by=received_by,
        guardian_name=guardian_name.strip(),
        note=note.strip(),
        school_year=school_year
        if school_year is not None
        else school_year_for(received_on, student.district.school_year_start_month).start_year,
        recorded_by=acting_user,
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
    return record


def consent_scopes_set_up(*, acting_user: User | None, district: District) -> list[ConsentScope]:
    """Creates the standard scopes a district does not have yet (see consent.standard)."""
    if acting_user is not None and not access.can_manage(acting_user, district):
        raise PermissionDenied
    created = []
    with transaction.atomic():
        have = set(ConsentScope.objects.filter(district=district).values_list("kind", flat=True))
        for values in standard_scopes(district.photo_model, district.public_arena_exception):
            if values["kind"] in have:
                continue
            scope = ConsentScope(district=district, **values)
            scope._history_user = acting_user  # type: ignore[attr-defined]
            scope.save()
            created.append(scope)
    return created


def consent_scope_save(*, acting_user: User, scope: ConsentScope) -> ConsentScope:
    """Saves a new or changed scope; the history shows who changed the rule and when."""
    if not access.can_manage(acting_user, scope.district):
        raise PermissionDenied
    scope.full_clean()
    scope._history_user = acting_user  # type: ignore[attr-defined]
    with transaction.atomic():
        scope.save()
    return scope


def list_view_record(
    *, user: User, district: District, kind: str, subject: str, student: Student | None = None
) -> None:
    """The privacy log: every time someone sees students' consent status."""
    ListViewLog.objects.create(user=user, district=district, kind=kind, subject=subject[:300], student=student)


# --- Purging students who left ---------------------------------------------------------------


@dataclass(frozen=True)
class PurgeReport:
    district: District
    left_before: datetime.date
    students: int
    consent_records: int
    program_memberships: int
    without_leaving_date: int
    dry_run: bool

    def __str__(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        text = (
            f"{self.district.name}: {verb} {self.students} student(s) who left before {self.left_before:%Y-%m-%d}, "
            f"with {self.consent_records} consent record(s) and {self.program_memberships} program membership(s)."
        )
        if self.without_leaving_date:
            text += (
                f" {self.without_leaving_date} inactive student(s) have no leaving date and were kept; "
                "the next roster import or an administrator can date them."
            )
        return text


def departed_students(district: District, today: datetime.date) -> tuple[datetime.date, Sequence[int]]:
    left_before = add_months(today, -district.departed_student_retention_months)
    ids = Student.objects.filter(district=district, active=False, left_on__lt=left_before).values_list("pk", flat=True)
    return left_before, list(ids)


def students_purge_departed(
    *, district: District, today: datetime.date | None = None, dry_run: bool = False
) -> PurgeReport:
    """Removes students inactive longer than the district keeps them, with their consent
    records, program memberships and the privacy-log rows that name them."""
    today = today or timezone.localdate()
    with transaction.atomic():
        left_before, ids = departed_students(district, today)
        records = ConsentRecord.objects.filter(student_id__in=ids)
        memberships = ProgramMembership.objects.filter(student_id__in=ids)
        report = PurgeReport(
            district=district,
            left_before=left_before,
            students=len(ids),
            consent_records=records.count(),
            program_memberships=memberships.count(),
            without_leaving_date=Student.objects.filter(district=district, active=False, left_on__isnull=True).count(),
            dry_run=dry_run,
        )
        if not dry_run and ids:
            ListViewLog.objects.filter(student_id__in=ids).delete()
            records.delete()
            memberships.delete()
            Student.objects.filter(pk__in=ids).delete()
        if not dry_run:
            StudentPurge.objects.create(
                district=district,
                left_before=left_before,
                students_removed=report.students,
                consent_records_removed=report.consent_records,
                program_memberships_removed=report.program_memberships,
            )
    return report


# --- Importing a file of answers: check first, apply on confirmation -------------------------


class ImportOutOfDate(Exception):
    """Answers changed between the check and the confirmation; the file must be checked again."""


def consent_import_check(*, acting_user: User, district: District, file_name: str, data: bytes) -> ConsentImport:
    """Reads and checks the file and keeps the plan. Writes no consent record."""
    if not access.import_districts(acting_user).filter(pk=district.pk).exists():
        raise PermissionDenied
    today = timezone.localdate()
    planned, report = importer.read(
        data, district=district, students=access.recording_students(acting_user).filter(district=district), today=today
    )
    if report.problem_count == 0:
        importer.on_file(planned, district, today)
    return ConsentImport.objects.create(
        district=district,
        uploaded_by=acting_user,
        file_name=file_name[:255],
        status=ConsentImportStatus.PREVIEWED if report.problem_count == 0 else ConsentImportStatus.REFUSED,
        plan=[row.as_dict() for row in planned] if report.problem_count == 0 else [],
        problems=[problem.as_dict() for problem in report.problems],
        problem_count=report.problem_count,
        rows_read=report.rows_read,
    )


def consent_import_apply(*, acting_user: User, consent_import: ConsentImport) -> int:
    """Records every planned answer in one transaction, or none when anything changed since
    the check (then the upload is marked out of date). Returns the number recorded."""
    with transaction.atomic():
        locked = ConsentImport.objects.select_for_update().select_related("district").get(pk=consent_import.pk)
        if locked.status != ConsentImportStatus.PREVIEWED:
            raise ValidationError("This file has already been applied or refused.")
        if locked.uploaded_by_id != acting_user.pk and not access.can_manage(acting_user, locked.district):
            raise PermissionDenied
        today = timezone.localdate()
        checked = [importer.PlannedRow.from_dict(row) for row in locked.plan]
        now = [importer.PlannedRow.from_dict(row) for row in locked.plan]
        importer.on_file(now, locked.district, today)
        recordable = set(
            access.recording_students(acting_user)
            .filter(pk__in=[row.student_id for row in now])
            .values_list("pk", flat=True)
        )
        out_of_date = any(
            (a.before, a.before_received_on, a.already_on_file) != (b.before, b.before_received_on, b.already_on_file)
            or b.student_id not in recordable
            for a, b in zip(checked, now, strict=True)
        )
        if out_of_date:
            # Kept (not rolled back): the upload's page then says why it was not applied.
            ConsentImport.objects.filter(pk=locked.pk).update(status=ConsentImportStatus.SUPERSEDED)
        else:
            recorded = _import_records(acting_user, locked, now)
    if out_of_date:
        raise ImportOutOfDate
    return recorded


def _import_records(acting_user: User, locked: ConsentImport, rows: list[importer.PlannedRow]) -> int:
    recorded_at = timezone.now()
    records = [
        ConsentRecord(
            student_id=row.student_id,
            scope_id=row.scope_id,
            school_year=row.school_year,
            decision=row.decision,
            received_on=row.received_on,
            received_by=row.received_by,
            guardian_name=row.guardian,
            note=row.note,
            recorded_by=acting_user,
            recorded_at=recorded_at,
            source_import=locked,
        )
        for row in rows
        if row.records
    ]
    ConsentRecord.objects.bulk_create(records, batch_size=2000)
    locked.status = ConsentImportStatus.APPLIED
    locked.applied_at = recorded_at
    locked.save(update_fields=["status", "applied_at"])
    return len(records)


# --- Authorizations to use a tool with students -------------------------------------------------
# They live here rather than in registry because authorizing one opens a consent scope, and whether
# it is ready is a consent question (registry may not import consent).

# An authorization runs for at most about a school year; a longer one is asked for again.
MAX_AUTHORIZATION_DAYS = 400


def instructional_use_request(
    *,
    acting_user: User,
    tool: Tool,
    program: Program,
    purpose: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> InstructionalUse:
    """A staff member asks to use an approved tool with a class or program between two dates."""
    if not access.can_request_authorization(acting_user):
        raise PermissionDenied
    district = acting_user.district
    errors: dict[str, str] = {}
    if tool.district_id != district.pk or not tool.is_usable:
        errors["tool"] = "Choose a tool on your district's approved list (request the tool first if it is not)."
    if not access.request_programs(acting_user).filter(pk=program.pk).exists():
        errors["program"] = "Choose a class or program of your school."
    if ends_on < starts_on:
        errors["ends_on"] = "The last day cannot come before the first."
    elif ends_on < timezone.localdate():
        errors["ends_on"] = "The period has already ended."
    elif (ends_on - starts_on).days > MAX_AUTHORIZATION_DAYS:
        errors["ends_on"] = "Ask for a school year at most; ask again next year."
    if errors:
        raise ValidationError(errors)
    use = InstructionalUse(
        district=district,
        tool=tool,
        program=program,
        staff_member=acting_user,
        requested_by=acting_user,
        purpose=purpose.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    use.full_clean(exclude=["staff_member", "requested_by", "decided_by"], validate_constraints=False)
    with transaction.atomic():
        _history(use, acting_user, "Requested")
        use.save()
    return use


def _history(obj: object, acting_user: User, reason: str) -> None:
    obj._history_user = acting_user  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


def _locked_use(use: InstructionalUse, *expected: str) -> InstructionalUse:
    locked = InstructionalUse.objects.select_for_update().select_related("district", "tool", "program").get(pk=use.pk)
    if locked.status not in expected:
        raise ValidationError(f"This authorization is already {locked.get_status_display().lower()}.")
    return locked


def participation_scope_name(use: InstructionalUse) -> str:
    return f"{use.tool.name[:45]} with {use.program.name[:45]} (#{use.pk})"


def instructional_use_authorize(
    *, acting_user: User, use: InstructionalUse, decided_as: str, reference: str = "", reason: str = ""
) -> InstructionalUse:
    """The Superintendent or designee authorizes the use. When the tool needs parental consent, a
    participation scope opens for it: the use is ready once every enrolled student's family said yes."""
    registry_services.check_capacity(acting_user, use.district, ApprovalPower.INSTRUCTIONAL_USE, decided_as, reference)
    with transaction.atomic():
        use = _locked_use(use, AuthorizationStatus.REQUESTED)
        if use.has_ended(timezone.localdate()):
            raise ValidationError("The dates asked for have passed: ask the staff member to request new dates.")
        if not use.tool.is_usable:
            raise ValidationError(
                f"{use.tool.name} is no longer on the approved list ({use.tool.get_status_display()})."
            )
        use.status = AuthorizationStatus.AUTHORIZED
        use.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
        use.full_clean(exclude=["staff_member", "requested_by", "decided_by"], validate_constraints=False)
        _history(use, acting_user, "Authorized")
        use.save()
        if use.tool.needs_participation_consent:
            scope = ConsentScope(
                district=use.district,
                kind=ScopeKind.PARTICIPATION,
                name=participation_scope_name(use),
                description=f"May your child take part in {use.tool.name} with {use.program.name}: {use.purpose}"[:300],
                model=PhotoModel.WRITTEN_CONSENT,
                instructional_use=use,
                position=1000,
            )
            _history(scope, acting_user, "Opened for an authorization")
            scope.save()
    return use


def instructional_use_decline(
    *, acting_user: User, use: InstructionalUse, decided_as: str, reason: str, reference: str = ""
) -> InstructionalUse:
    if not reason.strip():
        raise ValidationError({"decision_reason": "Give the reason, so the person asking understands."})
    registry_services.check_capacity(acting_user, use.district, ApprovalPower.INSTRUCTIONAL_USE, decided_as, reference)
    with transaction.atomic():
        use = _locked_use(use, AuthorizationStatus.REQUESTED)
        use.status = AuthorizationStatus.DECLINED
        use.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
        _history(use, acting_user, "Not authorized")
        use.save()
    return use


def _close_scope(use: InstructionalUse, acting_user: User, reason: str) -> None:
    """The consent records stay (they are the families' answers); the scope leaves the pages."""
    scope = ConsentScope.objects.filter(instructional_use=use, active=True).first()
    if scope is not None:
        scope.active = False
        _history(scope, acting_user, reason)
        scope.save(update_fields=["active"])


def _end(use: InstructionalUse, acting_user: User, status: str, verb: str, reason: str = "") -> None:
    """Ends an authorization: who ended it, when and why are kept apart from the decision, and
    its participation consent closes with it."""
    use.status = status
    use.ended_by = acting_user
    use.ended_at = timezone.now()
    use.end_reason = reason
    _history(use, acting_user, verb)
    use.save(update_fields=["status", "ended_by", "ended_at", "end_reason"])
    _close_scope(use, acting_user, f"Authorization {verb.lower()}")


def instructional_use_revoke(*, acting_user: User, use: InstructionalUse, reason: str) -> InstructionalUse:
    """The Superintendent or designee ends an authorization early, saying why."""
    if not access.can_decide_authorization(acting_user, use):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"decision_reason": "Say why the authorization is revoked."})
    with transaction.atomic():
        use = _locked_use(use, AuthorizationStatus.AUTHORIZED)
        _end(use, acting_user, AuthorizationStatus.REVOKED, "Revoked", reason.strip())
    return use


def instructional_use_withdraw(*, acting_user: User, use: InstructionalUse) -> InstructionalUse:
    """The staff member no longer needs it (before or after the decision)."""
    if not access.can_withdraw_authorization(acting_user, use):
        raise PermissionDenied
    with transaction.atomic():
        use = _locked_use(use, AuthorizationStatus.REQUESTED, AuthorizationStatus.AUTHORIZED)
        _end(use, acting_user, AuthorizationStatus.WITHDRAWN, "Withdrawn")
    return use
