"""Actions that write consent data. Each is one transaction and checks who is acting."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    District,
    Guardian,
    PhotoModel,
    ProgramMembership,
    Relationship,
    Student,
    StudentGuardian,
    User,
    school_year_for,
)
from consent import access, family_links, importer, rules
from consent.models import (
    ConsentImport,
    ConsentImportMapping,
    ConsentImportStatus,
    ConsentRecord,
    ConsentScope,
    Decision,
    FamilyLink,
    FamilySignature,
    ListKind,
    ListViewLog,
    ReceivedBy,
    ScopeKind,
    StudentPurge,
)
from consent.standard import standard_scopes
from core import bulk, notify
from core.dates import add_months
from core.history import attribute
from core.notify import Notice


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
    start_month = student.district.school_year_start_month
    if school_year is None:
        school_year = school_year_for(received_on, start_month).start_year
    ConsentRecord.check_school_year(school_year, received_on, start_month)
    record = ConsentRecord(
        student=student,
        scope=scope,
        decision=decision,
        received_on=received_on,
        received_by=received_by,
        guardian_name=guardian_name.strip(),
        note=note.strip(),
        school_year=school_year,
        recorded_by=acting_user,
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
    return record


def consent_form_record(
    *,
    acting_user: User,
    student: Student,
    answers: Mapping[ConsentScope, str],
    received_on: datetime.date,
    school_year: int | None,
    guardian_name: str = "",
    note: str = "",
    received_by: str = ReceivedBy.PAPER,
) -> list[ConsentRecord]:
    """Records one paper form: an answer for every scope the family answered on it, all received
    the same day, for the same school year. All or nothing: one refused answer records none."""
    if not access.can_record(acting_user, student.school):
        raise PermissionDenied
    if not answers:
        raise ValidationError(_("Choose an answer for at least one consent on the form."))
    with transaction.atomic():
        return [
            consent_record(
                acting_user=acting_user,
                student=student,
                scope=scope,
                decision=decision,
                received_on=received_on,
                received_by=received_by,
                guardian_name=guardian_name,
                note=note,
                school_year=school_year,
            )
            for scope, decision in answers.items()
        ]


# A clerk with a stack of returned paper forms records the same answer for several students: each
# student's form stands alone, so one refused is listed and the others are still recorded.
CONSENT_RECORD_ALL_OR_NOTHING = False


def already_answered(students: Sequence[Student], scope: ConsentScope, on: datetime.date) -> set[int]:
    """Which of these students already have an answer for `scope` that counts on `on` (one query)."""
    unanswered = set(
        rules.without_answer(Student.objects.filter(pk__in=[s.pk for s in students]), scope, on).values_list(
            "pk", flat=True
        )
    )
    return {student.pk for student in students} - unanswered


def consent_record_many(
    *,
    acting_user: User,
    students: Sequence[Student],
    scope: ConsentScope,
    decision: str,
    received_on: datetime.date,
    received_by: str = ReceivedBy.PAPER,
    note: str = "",
    school_year: int | None = None,
) -> bulk.Result[Student]:
    """Record the same answer for each student through consent_record (its rules; one appended record
    each, naming the clerk), skipping a student whose family has answered since the list was read."""
    answered = already_answered(students, scope, timezone.localdate())
    return bulk.run(
        students,
        lambda student: consent_record(
            acting_user=acting_user,
            student=student,
            scope=scope,
            decision=decision,
            received_on=received_on,
            received_by=received_by,
            note=note,
            school_year=school_year,
        ),
        all_or_nothing=CONSENT_RECORD_ALL_OR_NOTHING,
        refused=_("You may not record consent for this student."),
        check=lambda student: _("Already has an answer for this consent.") if student.pk in answered else None,
    )


def consent_scopes_set_up(
    *,
    acting_user: User | None,
    district: District,
    attributed_to: User | None = None,
    kinds: Sequence[str] | None = None,
) -> list[ConsentScope]:
    """Creates the standard scopes a district does not have yet (see consent.standard), or only
    those of `kinds`. `attributed_to`: who the history names when the set-up is part of another action."""
    if acting_user is not None and not access.can_manage(acting_user, district):
        raise PermissionDenied
    acting_user = acting_user or attributed_to
    created = []
    with transaction.atomic():
        have = set(ConsentScope.objects.filter(district=district).values_list("kind", flat=True))
        for values in standard_scopes(
            district.photo_model,
            district.public_arena_exception,
            district.consent_renewed_each_school_year,
            district.social_media_photo_lists,
        ):
            if values["kind"] in have or (kinds is not None and values["kind"] not in kinds):
                continue
            scope = ConsentScope(district=district, **values)
            attribute(scope, acting_user)
            scope.save()
            created.append(scope)
    return created


def consent_scopes_follow_policy(*, acting_user: User | None, district: District) -> list[ConsentScope]:
    """Brings the district's scopes in line with its policy profile, as part of saving the profile
    (accounts.services.district_policy_save calls it through core.policy): every scope that follows
    the profile takes its rule, a list the profile now names is set up, and a scope that
    deliberately differs is left as decided (its pages say so). Returns the scopes changed."""
    changed = []
    with transaction.atomic():
        for scope in ConsentScope.objects.filter(district=district).exclude(kind=ScopeKind.PARTICIPATION):
            scope.district = district  # the profile as just saved
            values = scope.policy_values()
            if not scope.follows_policy or values is None:
                continue
            if all(getattr(scope, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(scope, name, value)
            attribute(scope, acting_user, "Policy profile changed")
            scope.save()
            changed.append(scope)
        # A list the profile now names (458's directory-information list) is set up; other standard
        # scopes a district removed are not brought back behind its back.
        changed += consent_scopes_set_up(
            acting_user=None, district=district, attributed_to=acting_user, kinds=(ScopeKind.DIRECTORY_INFORMATION,)
        )
    return changed


def consent_scope_save(*, acting_user: User, scope: ConsentScope) -> ConsentScope:
    """Saves a new or changed scope; the history shows who changed the rule and when."""
    if not access.can_manage(acting_user, scope.district):
        raise PermissionDenied
    scope.full_clean()
    attribute(scope, acting_user)
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


def consent_import_check(
    *,
    acting_user: User,
    district: District,
    file_name: str,
    data: bytes,
    mapping: importer.ColumnMapping | None = None,
) -> ConsentImport:
    """Reads and checks the file and keeps the plan. Writes no consent record. With a `mapping`
    the file is the district's own export, read through its columns; without, the standard layout."""
    if not access.import_districts(acting_user).filter(pk=district.pk).exists():
        raise PermissionDenied
    today = timezone.localdate()
    students = access.recording_students(acting_user).filter(district=district)
    if mapping is None:
        planned, report = importer.read(data, district=district, students=students, today=today)
    else:
        planned, report = importer.read_mapped(
            data, district=district, students=students, today=today, mapping=mapping, file_name=file_name[:255]
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


def consent_import_mapping_save(
    *, acting_user: User, district: District, mapping: importer.ColumnMapping
) -> ConsentImportMapping:
    """Keeps the columns of the district's export, offered again on the next upload."""
    if not access.import_districts(acting_user).filter(pk=district.pk).exists():
        raise PermissionDenied
    saved, _created = ConsentImportMapping.objects.update_or_create(
        district=district,
        defaults={"columns": mapping.as_json(), "updated_by": acting_user, "updated_at": timezone.now()},
    )
    return saved


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


# --- Participation consent for an authorization (authorizations.services opens and closes it) ----------


def participation_scope_open(*, acting_user: User, district: District, name: str, description: str) -> ConsentScope:
    """A consent form for taking part in a tool with a class: written consent, never renewed by year
    (a database constraint holds participation scopes to it), kept off the do-not-post pages."""
    scope = ConsentScope(
        district=district,
        kind=ScopeKind.PARTICIPATION,
        name=name,
        description=description[:300],
        model=PhotoModel.WRITTEN_CONSENT,
        position=1000,
    )
    with transaction.atomic():
        attribute(scope, acting_user, "Opened for an authorization")
        scope.save()
    return scope


def consent_scope_close(*, acting_user: User, scope: ConsentScope, reason: str) -> ConsentScope:
    """The scope leaves the pages; its records stay (they are the families' answers)."""
    with transaction.atomic():
        if scope.active:
            scope.active = False
            attribute(scope, acting_user, reason)
            scope.save(update_fields=["active"])
    return scope


# --- Families answering online -------------------------------------------------------------------


# Students whose families' links are issued per round of statements.
LINK_BATCH = 2_000


def _scope_set_key(scopes: Sequence[ConsentScope]) -> str:
    """The scopes a family is asked about, as a short key: a new scope set asks again."""
    return hashlib.sha256(",".join(str(s.pk) for s in sorted(scopes, key=lambda s: s.pk)).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class LinksSent:
    links: list[FamilyLink]
    emailed: int  # e-mails newly owed (a repeat owes none)
    without_email: list[FamilyLink]  # families to reach on paper or by the district's own tool


def family_links_issue(
    *,
    acting_user: User,
    students: Sequence[Student],
    school_year: int,
    participation_scope: ConsentScope | None = None,
) -> list[FamilyLink]:
    """A working link for every current guardian of each student, for `school_year` (or for taking
    part in a tool, with `participation_scope`): the one already issued (its expiry renewed), or a
    new one. Students the user may not record for are refused."""
    students = list(students)
    if any(
        not access.can_record(acting_user, student.school) for student in {s.school_id: s for s in students}.values()
    ):
        raise PermissionDenied
    now = timezone.now()
    issued: list[FamilyLink] = []
    with transaction.atomic():
        # One send at a time per district, so two clerks sending at once never issue a link twice.
        District.objects.select_for_update().filter(pk__in={s.district_id for s in students}).exists()
        # In batches, a few statements each: a district's first send covers every family at once.
        for first in range(0, len(students), LINK_BATCH):
            batch = {student.pk: student for student in students[first : first + LINK_BATCH]}
            families = StudentGuardian.objects.filter(
                student_id__in=list(batch), ended_on__isnull=True, guardian__active=True
            ).select_related("guardian")
            existing = FamilyLink.objects.select_for_update().filter(
                student_id__in=list(batch), revoked_at__isnull=True
            )
            if participation_scope is None:
                existing = existing.filter(school_year=school_year, participation_scope__isnull=True)
            else:
                existing = existing.filter(participation_scope=participation_scope)
            known = {(link.student_id, link.guardian_id): link for link in existing}
            new_links, renewed = [], []
            for family in families:
                student = batch[family.student_id]
                link = known.get((family.student_id, family.guardian_id))
                if link is None:
                    link = FamilyLink(
                        district_id=student.district_id,
                        student=student,
                        guardian=family.guardian,
                        school_year=school_year,
                        participation_scope=participation_scope,
                        nonce=family_links.new_nonce(),
                        created_by=acting_user,
                        created_at=now,
                    )
                    new_links.append(link)
                else:
                    if not link.is_usable(now):
                        link.nonce = family_links.new_nonce()  # an expired address stays dead
                    renewed.append(link)
                link.expires_at = family_links.expiry(student.district.family_link_days, now)
                link.student, link.guardian = student, family.guardian
                issued.append(link)
            FamilyLink.objects.bulk_create(new_links)
            FamilyLink.objects.bulk_update(renewed, ["nonce", "expires_at"])
    return issued


def family_links_send(
    *,
    acting_user: User,
    students: Sequence[Student],
    school_year: int,
    scopes: Sequence[ConsentScope],
    participation_scope: ConsentScope | None = None,
) -> LinksSent:
    """Issue the links and owe each family with an e-mail address one message through the reminder
    log: once per guardian, student, scope set and school year, however often this is repeated.
    With `participation_scope` the links ask only that (an authorization's own form)."""
    if participation_scope is not None:
        scopes = [participation_scope]
    links = family_links_issue(
        acting_user=acting_user, students=students, school_year=school_year, participation_scope=participation_scope
    )
    period = f"{school_year}:{_scope_set_key(scopes)}"
    with transaction.atomic():
        emailed = notify.notify_many(
            Notice(
                kind="family_consent_request",
                district_id=link.district_id,
                recipient_id=None,
                guardian_id=link.guardian_id,
                object_key=f"family_link:{link.pk}",
                period=period,
                path="/",
            )
            for link in links
            if link.guardian.email
        )
        ListViewLog.objects.create(
            user=acting_user,
            district_id=students[0].district_id if students else links_district(acting_user),
            kind=ListKind.FAMILY_LINKS,
            subject=f"Sent {'participation' if participation_scope else 'consent'} links to {len(links)} families",
        )
    return LinksSent(links, emailed, [link for link in links if not link.guardian.email])


def links_district(user: User) -> int:
    if user.district_id is None:
        raise PermissionDenied
    return int(user.district_id)


def family_link_revoke(*, acting_user: User, link: FamilyLink) -> FamilyLink:
    """The link stops working at once; the family asks the school for a new one."""
    if not access.can_record(acting_user, link.student.school):
        raise PermissionDenied
    with transaction.atomic():
        FamilyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=acting_user
        )
    link.refresh_from_db()
    return link


def family_link_opened(*, link: FamilyLink) -> None:
    """Every opening is logged like any view of a student's consent status."""
    now = timezone.now()
    with transaction.atomic():
        FamilyLink.objects.filter(pk=link.pk).update(last_opened_at=now)
        ListViewLog.objects.create(
            user=None,
            district_id=link.district_id,
            kind=ListKind.FAMILY_LINK,
            subject=f"Opened by a family (link {link.pk})",
            student_id=link.student_id,
        )


@dataclass(frozen=True)
class FamilyAnswers:
    answers: dict[int, bool]  # scope id: yes (True) or no (False)
    typed_name: str
    relationship: str
    language: str
    text: str
    version: str
    signatures_seen: int  # how many signatures the page knew of: a replayed form is refused
    ip_address: str | None


def family_answers_record(*, link_id: int, scopes: Sequence[ConsentScope], given: FamilyAnswers) -> FamilySignature:
    """A family's answers, signed: one append-only consent record per scope, "received online",
    recorded by nobody on staff, tied to the signature. All or nothing."""
    errors: dict[str, str] = {}
    name = given.typed_name.strip()
    if not name:
        errors["typed_name"] = _("Type your full name to sign.")
    elif len(name) > 200:
        errors["typed_name"] = _("A name can be at most 200 characters.")
    if given.relationship not in Relationship.values:
        errors["relationship"] = _("Choose how you are related to the student.")
    for scope in scopes:
        if scope.pk not in given.answers:
            errors[f"scope_{scope.pk}"] = _("Answer yes or no.")
    if errors:
        raise ValidationError(errors)
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        link = FamilyLink.objects.select_for_update().select_related("student__district").get(pk=link_id)
        if not link.is_usable(now):
            raise ValidationError(_("This link no longer works."))
        if link.signatures.count() != given.signatures_seen:
            raise ValidationError(
                _(
                    "These answers were already sent from another page. "
                    "Here are your answers as the school has them now."
                )
            )
        previous = current_family_answers(link.student, scopes)
        signature = FamilySignature.objects.create(
            link=link,
            typed_name=name,
            relationship=given.relationship,
            language=given.language,
            text_shown=given.text,
            text_sha256=family_links.text_sha256(given.text),
            text_version=given.version,
            signed_at=now,
            ip_address=given.ip_address,
        )
        for scope in scopes:
            if given.answers[scope.pk]:
                decision = Decision.GRANTED
            else:
                had = previous.get(scope.pk)
                decision = Decision.WITHDRAWN if had == Decision.GRANTED else Decision.REFUSED
            record = ConsentRecord(
                student=link.student,
                scope=scope,
                decision=decision,
                received_on=today,
                received_by=ReceivedBy.ONLINE,
                guardian_name=name,
                note="Answered online by the family",
                school_year=link.school_year,
                recorded_by=None,
                family_signature=signature,
            )
            ConsentRecord.check_school_year(link.school_year, today, link.student.district.school_year_start_month)
            record.save()
        FamilyLink.objects.filter(pk=link.pk).update(answered_at=now)
    return signature


def current_family_answers(
    student: Student, scopes: Sequence[ConsentScope], *, given_by: Guardian | None = None
) -> dict[int, str]:
    """The student's latest answer per scope, as the school has it (one query); with `given_by`, only
    the answers that guardian signed online: a family never sees another guardian's answers."""
    latest: dict[int, str] = {}
    records = ConsentRecord.objects.filter(student=student, scope__in=list(scopes)).order_by("-received_on", "-pk")
    if given_by is not None:
        records = records.filter(family_signature__link__guardian=given_by)
    for scope_id, decision in records.values_list("scope_id", "decision"):
        latest.setdefault(scope_id, decision)
    return latest


def family_links_handed_out(*, acting_user: User, district: District, count: int, how: str) -> None:
    """Links downloaded or printed are links handed out: the privacy log says who, when and how many."""
    ListViewLog.objects.create(
        user=acting_user,
        district=district,
        kind=ListKind.FAMILY_LINKS,
        subject=f"{'Downloaded' if how == 'csv' else 'Printed'} consent links for {count} families",
    )


def guardian_counts(students: QuerySet[Student]) -> dict[str, int]:
    """How many families the chosen students have, with and without an e-mail address (one query)."""
    links = StudentGuardian.objects.filter(student__in=students, ended_on__isnull=True, guardian__active=True)
    return links.aggregate(
        families=Count("pk"),
        with_email=Count("pk", filter=~Q(guardian__email="")),
        without_email=Count("pk", filter=Q(guardian__email="")),
    )
