"""Actions on the directory that change several rows. Each is atomic; side effects (tasks,
mail) run after commit."""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path

from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import access, sign_in
from accounts.models import (
    DISTRICT_WIDE_ROLES,
    RESERVED_POWER_FIELDS,
    SCHOOL_ROLES,
    District,
    Membership,
    MembershipSource,
    Role,
    RosterImport,
    RosterImportStatus,
    School,
    SignInEvent,
    SignInOutcome,
    User,
)
from accounts.roster import ProgressCallback, RosterRejected, RosterReport, import_roster
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
        if not values:
            return []  # nothing changed: no history entry saying otherwise
        for name, value in values.items():
            setattr(district, name, value)
        district.full_clean()
        reason = "Who decides reserved matters changed" if reserved else "Policy profile changed"
        attribute(district, acting_user, reason)
        district.save()
        if reserved:
            from accounts.tasks import announce_reserved_powers
            from core.tasks import enqueue

            changes = {name: [getattr(current, name), values[name]] for name in reserved}
            transaction.on_commit(lambda: enqueue(announce_reserved_powers, district.pk, acting_user.pk, changes))
    return reserved


SIGN_IN_FIELDS = ("sign_in_domains", "microsoft_tenant_ids", "password_sign_in", "mail_sender_name", "mail_reply_to")


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
            raise ValidationError(
                {"password_sign_in": "Keep passwords until staff can sign in with Google or Microsoft: list your "
                 "domains (and tenant) first, on an installation where a provider is set up."}
            )  # fmt: skip
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


# --- Roster imports ----------------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "roster"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        )
        # With the broker down the upload stays queued, and the periodic task queues it again.
        transaction.on_commit(lambda: enqueue(run_roster_import, roster_import.pk))
    return roster_import


def roster_imports_stalled(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> list[int]:
    """Uploads still queued after a while: the broker was down when they were queued, or lost them."""
    since = timezone.now() - older_than
    stalled = RosterImport.objects.filter(status=RosterImportStatus.QUEUED, created_at__lt=since)
    return list(stalled.values_list("pk", flat=True))


def roster_import_run(*, roster_import_id: int) -> RosterImport | None:
    """Run a queued upload once. A repeated or concurrent call finds it already claimed."""
    claimed = RosterImport.objects.filter(pk=roster_import_id, status=RosterImportStatus.QUEUED).update(
        status=RosterImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    roster_import = RosterImport.objects.select_related("district").get(pk=roster_import_id)

    def progress(fraction: float, message: str) -> None:
        try:
            cache.set(roster_import.progress_cache_key, {"fraction": fraction, "message": message}, 3600)
        except Exception:  # progress is a nicety; a cache outage must not stop the import
            logger.warning("could not record roster import progress", exc_info=True)

    try:
        return _roster_import_execute(roster_import, Path(roster_import.stored_path), progress)
    finally:
        # The upload holds student data: it is not kept once read.
        Path(roster_import.stored_path).unlink(missing_ok=True)
        RosterImport.objects.filter(pk=roster_import_id).update(stored_path="")


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
        status=RosterImportStatus.RUNNING,
        started_at=timezone.now(),
    )
    return _roster_import_execute(roster_import, path, progress)


def _roster_import_execute(roster_import: RosterImport, path: Path, progress: ProgressCallback | None) -> RosterImport:
    try:
        report = import_roster(
            roster_import.district,
            path,
            dry_run=roster_import.dry_run,
            progress=progress,
            acting_user=roster_import.uploaded_by,
            change_reason=f"Roster import #{roster_import.pk}",
            confirm_departures=roster_import.confirm_departures,
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
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=status, report=report.as_dict(), finished_at=timezone.now()
    )
    roster_import.refresh_from_db()
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
