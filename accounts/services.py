"""Actions on the directory that change several rows. Each is atomic; side effects (tasks,
mail) run after commit."""

from __future__ import annotations

import csv
import datetime
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from accounts import access, sign_in
from accounts.models import (
    DISTRICT_WIDE_ROLES,
    RESERVED_POWER_FIELDS,
    SCHOOL_ROLES,
    District,
    Membership,
    MembershipSource,
    PolicyDocument,
    Role,
    RosterImport,
    RosterImportStatus,
    RosterPreviewRow,
    RosterSource,
    RosterSync,
    School,
    SignInEvent,
    SignInOutcome,
    SyncSource,
    User,
)
from accounts.roster import ProgressCallback, RosterRejected, RosterReport, import_roster
from core import bulk, policy
from core.history import attribute, save_attributed
from core.notify import Notice, notify_many

logger = logging.getLogger(__name__)


def record_sign_in(sender: object, user: User, **kwargs: object) -> None:
    """When someone last signed in. Not part of their audited record: no history row, by design."""
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)


def district_policy_save(*, acting_user: User, district: District, values: dict[str, object]) -> list[str]:
    """Save the policy profile (`values`: field name -> new value). Who holds a reserved power is
    changed only by its holder, the Superintendent (access.can_change_reserved_powers), and every such
    change is announced to the district's superintendents. Returns the reserved fields changed."""
    if not access.can_edit_policy(acting_user, district):
        raise PermissionDenied
    with transaction.atomic():
        current = District.objects.select_for_update().get(pk=district.pk)
        reserved = [name for name in RESERVED_POWER_FIELDS if name in values and values[name] != getattr(current, name)]
        if reserved and not access.can_change_reserved_powers(acting_user, district):
            raise ValidationError({name: "Only the Superintendent can change who decides this." for name in reserved})
        # Saving is reviewing, changed or not (the setup checklist reads it); bookkeeping, not history.
        district.policy_reviewed_at, district.policy_reviewed_by = timezone.now(), acting_user
        District.objects.filter(pk=district.pk).update(
            policy_reviewed_at=district.policy_reviewed_at, policy_reviewed_by=acting_user
        )
        if not values:
            return []  # nothing changed: no history entry saying otherwise
        for name, value in values.items():
            setattr(district, name, value)
        district.full_clean()
        reason = "Who decides reserved matters changed" if reserved else "Policy profile changed"
        attribute(district, acting_user, reason)
        district.save()
        # The rules that follow the profile (consent scopes) change with it, in this transaction.
        policy.profile_saved(acting_user=acting_user, district=district)
        if reserved:
            from accounts.tasks import announce_reserved_powers
            from core.tasks import enqueue

            changes = {name: [getattr(current, name), values[name]] for name in reserved}
            transaction.on_commit(lambda: enqueue(announce_reserved_powers, district.pk, acting_user.pk, changes))
    return reserved


POLICY_DOCUMENT_FIELDS = ("number", "title", "version", "adopted_on", "last_reviewed_on", "text", "url")


def policy_document_record(*, acting_user: User, district: District, values: dict[str, object]) -> PolicyDocument:
    """Records a policy document, or a new version of one (same number): the new version becomes
    current and the one it replaces is kept, so earlier acknowledgements still name what was read."""
    if not access.can_edit_policy(acting_user, district):
        raise PermissionDenied
    unknown = set(values) - set(POLICY_DOCUMENT_FIELDS)
    if unknown:
        raise ValueError(f"not policy document fields: {sorted(unknown)}")
    document = PolicyDocument(district=district)
    for name, value in values.items():
        setattr(document, name, value)
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).first()  # one new version at a time
        replaced = list(PolicyDocument.objects.filter(district=district, number=document.number, current=True))
        for old in replaced:
            old.current = False
            save_attributed(old, acting_user, f"Replaced by version {document.version}")
        document.full_clean()
        save_attributed(document, acting_user, "Recorded" if not replaced else "New version recorded")
    return document


SIGN_IN_FIELDS = (
    "sign_in_domains",
    "microsoft_tenant_ids",
    "password_sign_in",
    "mail_sender_name",
    "mail_reply_to",
    "accessibility_contact",
)


def district_sign_in_save(*, acting_user: User, district: District, values: dict[str, object]) -> District:
    """The district's sign-in and mail settings, changed by its technology director, in its history."""
    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    unknown = set(values) - set(SIGN_IN_FIELDS)
    if unknown:
        raise ValueError(f"not sign-in settings: {sorted(unknown)}")
    with transaction.atomic():
        district = District.objects.select_for_update().get(pk=district.pk)
        for name, value in values.items():
            setattr(district, name, value)
        if not district.password_sign_in and not (district.sign_in_domain_list and _sign_in_offered()):
            keep_passwords = (
                "Keep passwords until staff can sign in with Google or Microsoft: list your "
                "domains (and tenant) first, on an installation where a provider is set up."
            )
            raise ValidationError({"password_sign_in": keep_passwords})
        district.full_clean()
        save_attributed(district, acting_user, "Sign-in settings changed")
    return district


def _sign_in_offered() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS)


def reserved_powers_announce(*, district_id: int, changed_by_id: int, changes: dict[str, list[str]]) -> int:
    """Tell every current superintendent of the district who changed which reserved power, and how."""
    from core.mail import render_email

    district = District.objects.get(pk=district_id)
    changed_by = User.objects.filter(pk=changed_by_id).first()
    lines = [
        (_field_label(name), _approver_label(before), _approver_label(after))
        for name, (before, after) in changes.items()
    ]
    holders = User.objects.filter(
        pk__in=Membership.objects.filter(
            district=district, role=Role.SUPERINTENDENT, school__isnull=True, ended_on__isnull=True
        ).values("user_id"),
        is_active=True,
    )
    sent = 0
    for holder in holders:
        render_email(
            "reserved_powers_changed",
            {
                "recipient": holder,
                "district": district,
                "changed_by": changed_by,
                "changes": lines,
                "link": f"{settings.SITE_URL}{district.get_absolute_url()}",
                "site_url": settings.SITE_URL,
                "why": f"You receive this because you hold the Superintendent's powers in {district.name}.",
            },
            to=[holder.email],
            sender=district,
        ).send()
        sent += 1
    return sent


def _field_label(name: str) -> str:
    """The words a district's policy field goes by (its verbose name)."""
    model_field = District._meta.get_field(name)
    return str(model_field.verbose_name) if isinstance(model_field, models.Field) else name


def _approver_label(value: str) -> str:
    from accounts.models import Approver

    return str(Approver(value).label) if value in Approver.values else value


def membership_grant(*, acting_user: User, user: User, role: str, school: School | None = None) -> Membership:
    """Give `user` a role, district-wide or at `school`. Granting a role already held is a no-op."""
    district = user.district
    if district is None or not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError("Roles can only be given to active staff.")
    if role in SCHOOL_ROLES and school is None:
        raise ValidationError("Choose the school for this role.")
    if role in DISTRICT_WIDE_ROLES:
        school = None
    if school is not None and school.district_id != district.pk:
        raise ValidationError("That school belongs to another district.")
    with transaction.atomic():
        existing = Membership.objects.filter(user=user, role=role, school=school, ended_on__isnull=True).first()
        if existing:
            return existing
        membership = Membership(user=user, district=district, school=school, role=role, source=MembershipSource.MANUAL)
        save_attributed(membership, acting_user, "Role given")
        return membership


def membership_end(*, acting_user: User, membership: Membership) -> Membership:
    if not access.can_manage_directory(acting_user, membership.district):
        raise PermissionDenied
    with transaction.atomic():
        if membership.ended_on is None:
            membership.ended_on = timezone.localdate()
            save_attributed(membership, acting_user, "Role ended", ["ended_on"])
    return membership


# Ending several roles at once (a reorganisation, a school closing) is all or nothing: the director
# sees every refusal, and nothing has changed until the whole list can be ended.
MEMBERSHIP_END_ALL_OR_NOTHING = True


def membership_end_refusal(acting_user: User, membership: Membership) -> str | None:
    """Why ending this role from the roles list would be refused (None: it would end)."""
    if not access.can_manage_directory(acting_user, membership.district):
        return gettext("You may not end this role.")
    if membership.ended_on is not None:
        return gettext("This role has already ended.")
    return None


def membership_end_many(*, acting_user: User, memberships: Sequence[Membership]) -> bulk.Result[Membership]:
    """End each role through membership_end (its rule and its history entry), all or nothing."""
    return bulk.run(
        memberships,
        lambda membership: membership_end(acting_user=acting_user, membership=membership),
        all_or_nothing=MEMBERSHIP_END_ALL_OR_NOTHING,
        refused=gettext("You may not end this role."),
        check=lambda membership: gettext("This role has already ended.") if membership.ended_on else None,
    )


def staff_deactivate(*, acting_user: User, user: User) -> User:
    """Someone left: they can no longer sign in and every role they held ends today."""
    if user.district is None or not access.can_manage_directory(acting_user, user.district):
        raise PermissionDenied
    if user.pk == acting_user.pk:
        raise ValidationError("You cannot deactivate yourself.")
    today = timezone.localdate()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        user.refresh_from_db()  # as it is now: the history row records every field
        user.is_active, user.left_on = False, today
        save_attributed(user, acting_user, "Deactivated", ["is_active", "left_on"])
        for membership in Membership.objects.filter(user=user, ended_on__isnull=True):
            membership.ended_on = today
            save_attributed(membership, acting_user, "Ended on leaving", ["ended_on"])
        # Their disclosures would go to someone who left: each supervisee is left without a
        # supervisor, and so appears on the director's list until a new one is named.
        for supervisee in User.objects.select_for_update().filter(supervisor=user):
            supervisee.supervisor = None
            save_attributed(supervisee, acting_user, "Supervisor left the district", ["supervisor"])
    return user


def staff_reactivate(*, acting_user: User, user: User) -> User:
    if user.district is None or not access.can_manage_directory(acting_user, user.district):
        raise PermissionDenied
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        user.refresh_from_db()
        user.is_active, user.left_on = True, None
        save_attributed(user, acting_user, "Reactivated", ["is_active", "left_on"])
        if not Membership.objects.filter(user=user, school=None, role=Role.STAFF, ended_on=None).exists():
            staff = Membership(user=user, district=user.district, role=Role.STAFF, source=MembershipSource.MANUAL)
            save_attributed(staff, acting_user, "Reactivated")
    return user


# --- Entered by hand between roster syncs ---------------------------------------------------


def school_create_by_hand(*, acting_user: User, district: District, name: str, code: str = "") -> School:
    """A school the roster does not list yet (opened mid-year): the next roster import matches it by its
    state or SIS code, or failing that by its exact name, instead of adding it twice."""
    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    name, code = name.strip(), code.strip()
    if not name:
        raise ValidationError({"name": _("Enter the school's name.")})
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).first()  # one by-hand addition at a time
        schools = School.objects.filter(district=district)
        if schools.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("The district already has a school named %(name)s.") % {"name": name}})
        if code and schools.filter(code__iexact=code).exists():
            raise ValidationError(
                {"code": _("The district already has a school with the code %(code)s.") % {"code": code}}
            )
        school = School(
            district=district,
            name=name,
            code=code,
            entered_by_hand_at=timezone.now(),
            entered_by_hand_by=acting_user,
        )
        save_attributed(school, acting_user, "Entered by hand")
    return school


def staff_create_by_hand(
    *,
    acting_user: User,
    district: District,
    email: str,
    first_name: str,
    last_name: str,
    job_title: str = "",
    employee_id: str = "",
    school: School | None = None,
) -> User:
    """A staff member the roster does not list yet (hired between syncs), with the staff role at
    `school` (district-wide without one). The next roster import matches them by e-mail, whatever its
    case, and keeps them up to date from then on."""
    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    email = User.objects.normalize_email(email.strip()).lower()
    employee_id = employee_id.strip()
    problems: dict[str, str] = {}
    if not email:
        problems["email"] = _("Enter their e-mail address.")
    if not first_name.strip() and not last_name.strip():
        problems["last_name"] = _("Enter their name.")
    if school is not None and school.district_id != district.pk:
        problems["school"] = _("That school belongs to another district.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).first()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"email": _("Someone already signs in with the e-mail address %(email)s.") % {"email": email}}
            )
        if employee_id and User.objects.filter(district=district, employee_id=employee_id).exists():
            raise ValidationError(
                {
                    "employee_id": _("Employee id %(id)s already belongs to someone in the district.")
                    % {"id": employee_id}
                }
            )
        user = User(
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            job_title=job_title.strip(),
            employee_id=employee_id,
            district=district,
            entered_by_hand_at=timezone.now(),
            entered_by_hand_by=acting_user,
        )
        user.set_unusable_password()
        save_attributed(user, acting_user, "Entered by hand")
        membership = Membership(
            user=user, district=district, school=school, role=Role.STAFF, source=MembershipSource.MANUAL
        )
        save_attributed(membership, acting_user, "Entered by hand")
    return user


# --- Roster imports ----------------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "roster"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def roster_import_start(
    *, acting_user: User, district: District, upload: UploadedFile, dry_run: bool, confirm_departures: bool = False
) -> RosterImport:
    """Keep the uploaded bundle privately and queue the import; the page follows its progress.
    `confirm_departures`: the uploader confirmed that everyone the file deactivates has left."""
    from accounts.tasks import run_roster_import
    from core.tasks import enqueue

    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    stored = _upload_dir() / f"{uuid.uuid4().hex}.zip"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            district=district,
            uploaded_by=acting_user,
            file_name=Path(upload.name or "roster.zip").name[:255],
            stored_path=str(stored),
            dry_run=dry_run,
            confirm_departures=confirm_departures,
            bundle_sha256=_sha256(stored),
        )
        # With the broker down the upload stays queued, and the periodic task queues it again.
        transaction.on_commit(lambda: enqueue(run_roster_import, roster_import.pk))
    return roster_import


def roster_import_apply(*, acting_user: User, preview: RosterImport) -> RosterImport:
    """Apply exactly what a dry run previewed: the same stored bundle, refused when it or the district's
    roster changed since (checked again under the district's lock when the import runs)."""
    from accounts.tasks import run_roster_import
    from core.tasks import enqueue

    if not access.can_manage_directory(acting_user, preview.district):
        raise PermissionDenied
    with transaction.atomic():
        preview = RosterImport.objects.select_for_update().get(pk=preview.pk)
        if not preview.is_preview:
            raise ValidationError(
                "This preview can no longer be applied: it was applied already, or a newer import replaced it. "
                "Make a new preview."
            )
        if preview.roster_version != District.objects.get(pk=preview.district_id).roster_version:
            raise ValidationError(
                "The district's roster changed since this preview (another import ran). Make a new preview."
            )
        applied = RosterImport.objects.create(
            district=preview.district,
            uploaded_by=acting_user,
            file_name=preview.file_name,
            stored_path=preview.stored_path,
            source=preview.source,
            dry_run=False,
            confirm_departures=preview.confirm_departures,
            bundle_sha256=preview.bundle_sha256,
            roster_version=preview.roster_version,
            applies=preview,
        )
        RosterImport.objects.filter(pk=preview.pk).update(stored_path="")
        transaction.on_commit(lambda: enqueue(run_roster_import, applied.pk))
    return applied


def roster_imports_stalled(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> list[int]:
    """Uploads still queued after a while: the broker was down when they were queued, or lost them."""
    since = timezone.now() - older_than
    stalled = RosterImport.objects.filter(status=RosterImportStatus.QUEUED, created_at__lt=since)
    return list(stalled.values_list("pk", flat=True))


def _progress_for(roster_import: RosterImport) -> ProgressCallback:
    def progress(fraction: float, message: str) -> None:
        try:
            cache.set(roster_import.progress_cache_key, {"fraction": fraction, "message": message}, 3600)
        except Exception:  # progress is a nicety; a cache outage must not stop the import
            logger.warning("could not record roster import progress", exc_info=True)

    return progress


def roster_import_run(*, roster_import_id: int) -> RosterImport | None:
    """Run a queued import once. A repeated or concurrent call finds it already claimed."""
    claimed = RosterImport.objects.filter(pk=roster_import_id, status=RosterImportStatus.QUEUED).update(
        status=RosterImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    roster_import = RosterImport.objects.select_related("district", "applies").get(pk=roster_import_id)
    finished = _roster_import_execute(roster_import, Path(roster_import.stored_path), _progress_for(roster_import))
    _forget_bundles(finished)
    return finished


def _forget_bundles(roster_import: RosterImport) -> None:
    """Bundles hold student data: kept only while a preview may still be applied. A finished import's
    bundle goes unless it is such a preview; a newer preview, or a real import that changed the roster,
    retires the district's older previews."""
    earlier = RosterImport.objects.filter(district_id=roster_import.district_id, pk__lt=roster_import.pk).exclude(
        stored_path=""
    )
    if roster_import.is_preview:
        for other in earlier.filter(dry_run=True, status__in=[RosterImportStatus.SUCCEEDED, RosterImportStatus.FAILED]):
            _remove_bundle(other)
        return
    _remove_bundle(roster_import)
    if roster_import.status == RosterImportStatus.SUCCEEDED and not roster_import.dry_run:
        for other in earlier.filter(dry_run=True, status__in=[RosterImportStatus.SUCCEEDED, RosterImportStatus.FAILED]):
            _remove_bundle(other)


def _remove_bundle(roster_import: RosterImport) -> None:
    if roster_import.stored_path:
        Path(roster_import.stored_path).unlink(missing_ok=True)
    RosterImport.objects.filter(pk=roster_import.pk).update(stored_path="")
    roster_import.stored_path = ""


def roster_import_from_path(
    *,
    acting_user: User | None,
    district: District,
    path: Path,
    dry_run: bool,
    confirm_departures: bool = False,
    progress: ProgressCallback | None = None,
) -> RosterImport:
    """Import a bundle from the server's disk (the import_roster command), recorded like an upload."""
    roster_import = RosterImport.objects.create(
        district=district,
        uploaded_by=acting_user,
        file_name=path.name[:255],
        dry_run=dry_run,
        confirm_departures=confirm_departures,
        source=RosterSource.COMMAND,
        status=RosterImportStatus.RUNNING,
        started_at=timezone.now(),
    )
    return _roster_import_execute(roster_import, path, progress)


def _roster_import_execute(roster_import: RosterImport, path: Path, progress: ProgressCallback | None) -> RosterImport:
    """Run the import; a dry run of a stored bundle (a preview) keeps its names and what it started from."""
    preview_file = None
    expected_version = None
    try:
        if roster_import.applies_id is not None:
            expected_version = roster_import.roster_version
            if not path.is_file() or _sha256(path) != roster_import.bundle_sha256:
                report = RosterReport()
                report.add_problem(
                    roster_import.file_name, None, None, "the file changed since the preview; make a new preview"
                )
                raise RosterRejected(report)
        if roster_import.dry_run and roster_import.stored_path:
            preview_file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        report = import_roster(
            roster_import.district,
            path,
            dry_run=roster_import.dry_run,
            progress=progress,
            acting_user=roster_import.uploaded_by,
            change_reason=f"Roster import #{roster_import.pk}",
            confirm_departures=roster_import.confirm_departures,
            expected_roster_version=expected_version,
            preview_to=preview_file,
        )
        status = RosterImportStatus.SUCCEEDED
    except RosterRejected as rejected:
        report = rejected.report
        status = RosterImportStatus.FAILED
    except Exception:
        logger.exception("roster import %s failed", roster_import.pk)
        report = RosterReport(dry_run=roster_import.dry_run)
        report.add_problem(
            roster_import.file_name,
            None,
            None,
            "the import stopped on an unexpected error; nothing was changed and our team has been notified",
        )
        status = RosterImportStatus.FAILED
    try:
        if preview_file is not None and status == RosterImportStatus.SUCCEEDED:
            _store_preview(roster_import, preview_file)
    finally:
        if preview_file is not None:
            preview_file.close()
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=status,
        report=report.as_dict(),
        finished_at=timezone.now(),
        roster_version=report.roster_version if roster_import.dry_run else roster_import.roster_version,
    )
    roster_import.refresh_from_db()
    return roster_import


def _store_preview(roster_import: RosterImport, rows: IO[str]) -> None:
    """The preview's names, from the file the dry run wrote (COPY on PostgreSQL: a million rows stream)."""
    rows.seek(0)
    reader = csv.reader(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = "COPY accounts_rosterpreviewrow (roster_import_id, entity, action, name, detail) FROM STDIN"
            with cursor.copy(copy_sql) as copy:
                for entity, action, name, detail in reader:
                    copy.write_row((roster_import.pk, entity, action, name[:310], detail[:300]))
        return
    batch: list[RosterPreviewRow] = []
    for entity, action, name, detail in reader:
        batch.append(
            RosterPreviewRow(roster_import=roster_import, entity=entity, action=action, name=name, detail=detail)
        )
        if len(batch) >= 5_000:
            RosterPreviewRow.objects.bulk_create(batch)
            batch = []
    RosterPreviewRow.objects.bulk_create(batch)


# --- Scheduled roster syncs ------------------------------------------------------------------

SYNC_LEASE = datetime.timedelta(hours=2)  # a run that died leaves its claim; another may run after this


def roster_sync_save(*, acting_user: User, district: District, values: dict[str, object], secret: str) -> RosterSync:
    """Save the district's sync settings; `secret` (empty: keep the stored one) is stored encrypted."""
    from accounts import credentials

    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    with transaction.atomic():
        sync, _ = RosterSync.objects.select_for_update().get_or_create(district=district)
        for name, value in values.items():
            setattr(sync, name, value)
        if secret:
            sync.api_client_secret = credentials.encrypt(secret)
        if (
            sync.enabled
            and sync.source == SyncSource.API
            and not (sync.api_base_url and sync.api_token_url and sync.api_client_id and sync.api_client_secret)
        ):
            raise ValidationError("A OneRoster API needs its address, its token address, a client id and a secret.")
        if sync.enabled and sync.source == SyncSource.DROP_FOLDER and not sync.drop_folder:
            raise ValidationError({"drop_folder": "Name the drop folder your SIS uploads to."})
        attribute(sync, acting_user, "Roster sync settings changed")
        sync.save()
    return sync


def roster_sync_queue_now(*, acting_user: User, district: District) -> None:
    """The director asks for a run now (to try new settings): queued like a scheduled one."""
    from accounts.tasks import run_roster_sync
    from core.tasks import enqueue

    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    sync = RosterSync.objects.filter(district=district).first()
    if sync is None:
        raise ValidationError("Save the sync settings first.")
    transaction.on_commit(lambda: enqueue(run_roster_sync, sync.pk))


def roster_syncs_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Enabled syncs to run now: a drop folder every time (looking costs nothing), an API once its
    interval has passed since the last attempt (so a failed pull is tried again at the next one)."""
    now = now or timezone.now()
    due = []
    for sync in RosterSync.objects.filter(enabled=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ):
        interval = datetime.timedelta(hours=sync.interval_hours) - datetime.timedelta(minutes=5)  # beat's jitter
        if (
            sync.source == SyncSource.DROP_FOLDER
            or sync.last_attempt_at is None
            or now - sync.last_attempt_at >= interval
        ):
            due.append(sync.pk)
    return due


def roster_sync_run(*, sync_id: int) -> RosterImport | None:
    """One run of a district's sync: fetch the bundle, import it as an ordinary roster import, record the
    outcome. Returns the import, or None when another run holds the sync or a drop folder has nothing new."""
    now = timezone.now()
    claimed = (
        RosterSync.objects.filter(pk=sync_id)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + SYNC_LEASE)
    )
    if not claimed:
        return None
    sync = RosterSync.objects.select_related("district").get(pk=sync_id)
    try:
        if sync.source == SyncSource.DROP_FOLDER:
            return _sync_from_drop_folder(sync)
        return _sync_from_api(sync)
    finally:
        RosterSync.objects.filter(pk=sync_id).update(claimed_until=None)


def _failed_before_import(sync: RosterSync, source: str, file_name: str, where: str, message: str) -> RosterImport:
    report = RosterReport()
    report.add_problem(where, None, None, message)
    return RosterImport.objects.create(
        district=sync.district,
        file_name=file_name[:255],
        source=source,
        status=RosterImportStatus.FAILED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        report=report.as_dict(),
    )


def _sync_from_drop_folder(sync: RosterSync) -> RosterImport | None:
    from accounts.sync import drop_folder

    try:
        taken = drop_folder.take_newest(drop_folder.folder_for(sync.drop_folder))
    except drop_folder.DropFolderUnusable as error:
        return _record_sync(
            sync, _failed_before_import(sync, RosterSource.DROP_FOLDER, sync.drop_folder, "drop folder", str(error))
        )
    if taken is None:
        RosterSync.objects.filter(pk=sync.pk).update(last_attempt_at=timezone.now())
        return None
    for old in taken.superseded:
        drop_folder.archive(old, {"superseded_by": taken.path.name})
    roster_import = RosterImport.objects.create(
        district=sync.district,
        file_name=taken.path.name[:255],
        source=RosterSource.DROP_FOLDER,
        status=RosterImportStatus.RUNNING,
        started_at=timezone.now(),
        bundle_sha256=_sha256(taken.path),
    )
    roster_import = _roster_import_execute(roster_import, taken.path, _progress_for(roster_import))
    drop_folder.archive(taken.path, roster_import.report)
    return _record_sync(sync, roster_import)


def _sync_from_api(sync: RosterSync) -> RosterImport:
    from accounts import credentials
    from accounts.sync import oneroster_api

    name = f"OneRoster API {timezone.localtime():%Y-%m-%d %H:%M}"
    target = _upload_dir() / f"{uuid.uuid4().hex}.zip"
    try:
        secret = credentials.decrypt(sync.api_client_secret)
        oneroster_api.pull(
            oneroster_api.ApiSettings(
                base_url=sync.api_base_url,
                token_url=sync.api_token_url,
                client_id=sync.api_client_id,
                client_secret=secret,
                version=sync.api_version,
            ),
            target,
        )
    except credentials.CredentialUnreadable:
        target.unlink(missing_ok=True)
        failed = _failed_before_import(
            sync, RosterSource.API, name, "settings", "the stored client secret cannot be read; enter it again"
        )
        return _record_sync(sync, failed)
    except oneroster_api.ApiFailed as error:
        target.unlink(missing_ok=True)
        return _record_sync(sync, _failed_before_import(sync, RosterSource.API, name, "OneRoster API", error.message))
    roster_import = RosterImport.objects.create(
        district=sync.district,
        file_name=name,
        source=RosterSource.API,
        status=RosterImportStatus.RUNNING,
        started_at=timezone.now(),
        bundle_sha256=_sha256(target),
    )
    try:
        roster_import = _roster_import_execute(roster_import, target, _progress_for(roster_import))
    finally:
        target.unlink(missing_ok=True)
    return _record_sync(sync, roster_import)


def _record_sync(sync: RosterSync, roster_import: RosterImport) -> RosterImport:
    """The run's outcome on the sync; a failure that starts a streak tells each director once (the
    reminder log's key is the streak's first failed run, so later failures of the streak send nothing)."""
    from core.notify import Notice, notify

    now = timezone.now()
    with transaction.atomic():
        current = RosterSync.objects.select_for_update().get(pk=sync.pk)
        current.last_attempt_at = now
        current.last_import = roster_import
        if roster_import.status == RosterImportStatus.SUCCEEDED:
            current.last_success_at = now
            current.failing_since = None
            current.last_problem = ""
        else:
            problems = roster_import.report.get("problems") or [{"message": "the run failed"}]
            first = problems[0]
            where = ", ".join(str(p) for p in (first.get("file"), first.get("line"), first.get("field")) if p)
            current.last_problem = (f"{where}: " if where else "") + str(first.get("message", ""))[:400]
            if current.failing_since_id is None:
                current.failing_since = roster_import
            streak = current.failing_since_id
            directors = Membership.objects.filter(
                district=sync.district, role=Role.DIRECTOR, school__isnull=True, ended_on__isnull=True,
                user__is_active=True,
            ).values_list("user_id", flat=True)  # fmt: skip
            for director_id in directors:
                notify(
                    Notice(
                        kind="roster_sync_failed",
                        district_id=sync.district_id,
                        recipient_id=director_id,
                        object_key=f"roster_sync:{sync.pk}",
                        period=f"failing-since-{streak}",
                        path=reverse("roster_import_detail", args=[roster_import.pk]),
                    )
                )
        current.save(
            update_fields=["last_attempt_at", "last_import", "last_success_at", "failing_since", "last_problem"]
        )
    return roster_import


# --- Employment details --------------------------------------------------------------------


def _supervision_loop(user: User, supervisor: User) -> bool:
    """Whether `user` already supervises `supervisor`, directly or through others."""
    seen = {supervisor.pk}
    above = supervisor.supervisor_id
    while above is not None and above not in seen:
        if above == user.pk:
            return True
        seen.add(above)
        above = User.objects.filter(pk=above).values_list("supervisor_id", flat=True).first()
    return False


def staff_employment_update(
    *, acting_user: User, user: User, started_on: datetime.date | None, supervisor: User | None
) -> User:
    """Record when someone started in the district and who supervises them (the supervisor
    receives their disclosure when the policy says so). Either may be cleared with None."""
    district = user.district
    if district is None or not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    if user.left_on and started_on and started_on > user.left_on:
        raise ValidationError({"started_on": "The start date cannot be after the date they left the district."})
    with transaction.atomic():
        # One change of supervisors at a time per district, so two people cannot be made each
        # other's supervisor by two simultaneous requests.
        District.objects.select_for_update().filter(pk=district.pk).first()
        if supervisor is not None:
            if supervisor.pk == user.pk:
                raise ValidationError({"supervisor": "Someone cannot be their own supervisor."})
            supervisor = User.objects.filter(pk=supervisor.pk).first()  # as it is now, not as the form read it
            if supervisor is None or supervisor.district_id != district.pk or not supervisor.is_active:
                raise ValidationError({"supervisor": "Choose an active staff member of the district."})
            if _supervision_loop(user, supervisor):
                raise ValidationError(
                    {"supervisor": f"{supervisor} is supervised by {user}, directly or through others."}
                )
        user.started_on = started_on
        user.supervisor = supervisor
        save_attributed(user, acting_user, "Employment details changed", ["started_on", "supervisor"])
    return user


# --- Single sign-on ----------------------------------------------------------------------------


def sign_in_refused(*, identity: sign_in.Identity, decision: sign_in.Decision, client_address: str | None) -> None:
    """A refused sign-in goes in the district's audit log (in no district's, when none is known)."""
    SignInEvent.objects.create(
        district=decision.district,
        email=identity.email[:254],
        provider=identity.provider[:60],
        outcome=SignInOutcome.REFUSED,
        refusal=decision.refusal,
        client_address=client_address or None,
    )


def sign_in_link(
    *, sociallogin: SocialLogin, user: User, identity: sign_in.Identity, client_address: str | None
) -> None:
    """The first sign-in with a provider links the provider's account to the person the roster knows
    (without saving the person: their record does not change), in the audit log."""
    with transaction.atomic():
        sociallogin.account.user = user
        sociallogin.account.save()
        sociallogin.user = user
        SignInEvent.objects.create(
            district=user.district,
            user=user,
            email=identity.email[:254],
            provider=identity.provider[:60],
            outcome=SignInOutcome.LINKED,
            client_address=client_address or None,
        )


# --- Invitations ------------------------------------------------------------------------------------


def staff_invite(*, acting_user: User, district: District, people: QuerySet[User]) -> int:
    """Invite `people` of `district` to sign in: a branded e-mail each, through the reminder log, so a
    repeated click (or a retried request) the same day sends one. People who left are skipped.
    Returns how many invitations are new."""
    if not access.can_manage_directory(acting_user, district):
        raise PermissionDenied
    today = timezone.localdate()
    invited = people.filter(district=district, is_active=True)
    path = reverse("account_login")
    with transaction.atomic():
        added = notify_many(
            Notice(
                kind="invitation",
                district_id=district.pk,
                recipient_id=person_id,
                object_key=f"staff:{person_id}",
                period=f"invited-{today.isoformat()}",
                path=path,
            )
            for person_id in invited.values_list("pk", flat=True).iterator()
        )
        # The staff list says when each was last invited (bookkeeping: not in their history).
        invited.update(invited_at=timezone.now())
    return added
