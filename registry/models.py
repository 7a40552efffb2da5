"""Official social accounts, their designated administrators and their annual reviews."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import District, Program, School, User
from core.dates import add_months
from core.validators import refuse_secrets
from registry import profile_urls
from tools.models import LogoPermission

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
        "yandex.com",
    }
)


def require_district_controlled_email(value: str) -> None:
    domain = value.rsplit("@", 1)[-1].lower()
    if domain in FREE_MAIL_DOMAINS:
        raise ValidationError(
            "Use an address the district controls (for example socialmedia@yourdistrict.org), not a personal "
            "mailbox: the district must be able to recover the account when people leave.",
            code="personal_email",
        )


# --- Platforms ------------------------------------------------------------------------------


class Platform(models.Model):
    """A social network (or “blog or website”); its address rules live in profile_urls.RULES."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True, help_text="Offered when someone registers an account.")

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def recognises(self, url: str) -> bool:
        """Whether `url` is an address on this platform."""
        try:
            return profile_urls.platform_for_url(url) == self.slug
        except profile_urls.ProfileAddressError:
            return False

    def profile(self, *, handle: str = "", url: str = "") -> profile_urls.ProfileAddress:
        return profile_urls.resolve_profile(self.slug, handle=handle, url=url)


# --- Accounts --------------------------------------------------------------------------------


class OwnerKind(models.TextChoices):
    DISTRICT = "district", "The district"
    SCHOOL = "school", "A school"
    PROGRAM = "program", "A club, team or program"
    STAFF = "staff", "A staff member in an official capacity"


class Audience(models.TextChoices):
    COMMUNITY = "community", "The whole community"
    FAMILIES = "families", "Families"
    STUDENTS = "students", "Students"
    STAFF = "staff", "Staff"
    ALUMNI = "alumni", "Alumni"


class AccountStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    AWAITING_COMMUNICATIONS = "awaiting_communications", "Awaiting communications review"
    APPROVED = "approved", "Approved, not yet active"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REJECTED = "rejected", "Not approved"
    RETIRED = "retired", "Retired"


# States in which the account exists on the platform and must be looked after.
LIVE_STATUSES = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)
# States waiting for somebody's decision.
PENDING_STATUSES = (AccountStatus.REQUESTED, AccountStatus.AWAITING_COMMUNICATIONS, AccountStatus.APPROVED)


class RecoveryMethod(models.TextChoices):
    PASSWORD_MANAGER = "password_manager", "Login kept in the district's password manager"
    DISTRICT_MAILBOX = "district_mailbox", "Recovery through the district-controlled e-mail"
    BUSINESS_MANAGER = "business_manager", "District owns the platform's business or brand account"
    DISTRICT_PHONE = "district_phone", "Recovery through a district phone number"
    OTHER = "other", "Other (described in the notes)"


class SocialAccount(models.Model):
    """An official account of the district, a school, a program or a staff member."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="social_accounts")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="accounts")
    handle = models.CharField(max_length=200, help_text="As the platform shows it, e.g. @lakeshore.band.")
    handle_key = models.CharField(max_length=200, editable=False)
    profile_url = models.URLField("profile address", max_length=500, blank=True)
    display_name = models.CharField(max_length=200, help_text="The name shown on the page.")

    owner_kind = models.CharField("represents", max_length=10, choices=OwnerKind.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="social_accounts", db_index=False
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, null=True, blank=True, related_name="social_accounts"
    )
    owner_staff = models.ForeignKey(
        User,
        verbose_name="staff member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="official_accounts",
    )
    purpose = models.TextField(max_length=2000, validators=[refuse_secrets])
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.COMMUNITY)

    status = models.CharField(max_length=30, choices=AccountStatus.choices, default=AccountStatus.REQUESTED)
    login_email = models.EmailField(
        "login e-mail (district-controlled)",
        max_length=254,
        blank=True,
        validators=[require_district_controlled_email],
        help_text="The district mailbox the account signs in with, so the district can always recover it.",
    )
    recovery_method = models.CharField(
        "how the district keeps recovery access", max_length=30, choices=RecoveryMethod.choices, blank=True
    )
    recovery_notes = models.TextField(
        "where recovery details are kept",
        max_length=1000,
        blank=True,
        validators=[refuse_secrets],
        help_text="Where, not what: never write a password or a code here.",
    )

    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=2000, blank=True, validators=[refuse_secrets])
    communications_confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    communications_confirmed_at = models.DateTimeField(null=True, blank=True)
    launched_on = models.DateField("launch date", null=True, blank=True)
    next_review_on = models.DateField("next review date", null=True, blank=True)
    status_reason = models.TextField(
        "reason for suspension or retirement", max_length=2000, blank=True, validators=[refuse_secrets]
    )

    history = HistoricalRecords(excluded_fields=["handle_key"])

    class Meta:
        ordering = ["display_name"]
        constraints = [
            # The same page registered twice would split its administrators and reviews.
            models.UniqueConstraint(fields=["platform", "handle_key"], name="account_unique_platform_handle"),
            models.CheckConstraint(
                name="account_owner_matches_kind",
                condition=(
                    Q(owner_kind="district", school__isnull=True, program__isnull=True, owner_staff__isnull=True)
                    | Q(owner_kind="school", school__isnull=False, program__isnull=True, owner_staff__isnull=True)
                    | Q(owner_kind="program", school__isnull=False, program__isnull=False, owner_staff__isnull=True)
                    | Q(owner_kind="staff", program__isnull=True, owner_staff__isnull=False)
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status"], name="account_district_status"),
            models.Index(fields=["school", "status"], name="account_school_status"),
            models.Index(fields=["next_review_on"], name="account_next_review"),
            # The list sorted by name (registry.filters.ACCOUNT_SORTS), 20,000 accounts at the largest district.
            models.Index(fields=["district", "display_name", "id"], name="account_district_name"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform.name})"

    def get_absolute_url(self) -> str:
        return reverse("registry:account_detail", args=[self.pk])

    @property
    def owner_name(self) -> str:
        # A program's account names its school too (a constraint keeps both set).
        if self.owner_kind == OwnerKind.PROGRAM and self.program is not None and self.school is not None:
            return f"{self.program.name}, {self.school.name}"
        if self.owner_kind == OwnerKind.SCHOOL and self.school is not None:
            return self.school.name
        if self.owner_kind == OwnerKind.STAFF and self.owner_staff is not None:
            return self.owner_staff.full_name or self.owner_staff.email
        return self.district.name

    def set_profile(self, address: profile_urls.ProfileAddress) -> None:
        self.handle = address.handle
        self.handle_key = address.key
        self.profile_url = address.url

    def review_due_after(self, reviewed_on: datetime.date) -> datetime.date:
        """Review due = last review (or launch) + the district's interval."""
        return add_months(reviewed_on, self.district.account_review_interval_months)

    @property
    def needs_communications_review(self) -> bool:
        """The policy has the communications office see the page before launch (458), and it has not."""
        return self.district.communications_review_before_launch and self.communications_confirmed_at is None

    @property
    def owner_has_left(self) -> bool:
        """An account in a staff member's official capacity whose staff member left the district."""
        return self.owner_kind == OwnerKind.STAFF and self.owner_staff is not None and not self.owner_staff.is_active

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in (AccountStatus.REJECTED, AccountStatus.RETIRED)


class AdministratorRole(models.TextChoices):
    PRIMARY = "primary", "Primary administrator"
    BACKUP = "backup", "Backup administrator"


class AccountAdministrator(models.Model):
    """A staff member designated to run an account, for a period."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="administrators")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="administered_accounts")
    role = models.CharField(max_length=10, choices=AdministratorRole.choices, default=AdministratorRole.BACKUP)
    starts_on = models.DateField("from", default=timezone.localdate)
    ends_on = models.DateField("ended on", null=True, blank=True)
    policy_acknowledged_on = models.DateField(null=True, blank=True)
    # The versions of the district's policy documents in force when they acknowledged (accounts.PolicyDocument).
    policy_acknowledged_version = models.CharField(
        "policy version acknowledged", max_length=300, blank=True, default="", db_default=""
    )
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user"], condition=Q(ends_on__isnull=True), name="administrator_once_per_account"
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(ends_on__isnull=True, role="primary"),
                name="administrator_one_primary",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="administrator_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.account_id}"


class ReviewOutcome(models.TextChoices):
    RECERTIFIED = "recertified", "Re-certified"
    CHANGES_NEEDED = "changes_needed", "Changes needed before re-certification"


class AccountReview(models.Model):
    """An annual re-certification: administrators, purpose and compliance confirmed."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(default=timezone.localdate)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    administrators_confirmed = models.BooleanField("the administrators listed are right", default=False)
    purpose_confirmed = models.BooleanField("the purpose and audience are still right", default=False)
    follows_policy = models.BooleanField("the account follows the district's policy", default=False)
    notes = models.TextField(max_length=4000, blank=True, validators=[refuse_secrets])
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="review_recertified_confirms_everything",
                condition=~Q(outcome="recertified")
                | Q(administrators_confirmed=True, purpose_confirmed=True, follows_policy=True),
            ),
            models.CheckConstraint(
                name="review_changes_needed_says_what",
                condition=~Q(outcome="changes_needed") | ~Q(notes=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.reviewed_on.isoformat()}"

    def clean(self) -> None:
        """The two constraints above, in words on the form's fields."""
        confirmed = self.administrators_confirmed and self.purpose_confirmed and self.follows_policy
        if self.outcome == ReviewOutcome.RECERTIFIED and not confirmed:
            raise ValidationError(
                "To re-certify, confirm all three statements; otherwise choose “Changes needed” and say what."
            )
        if self.outcome == ReviewOutcome.CHANGES_NEEDED and not self.notes.strip():
            raise ValidationError({"notes": "Say what needs to change."})


class AccountLogoPermission(LogoPermission):
    """Written permission to use the district logo on an official account."""

    subject = models.ForeignKey(
        SocialAccount, verbose_name="account", on_delete=models.PROTECT, related_name="logo_permissions"
    )

    history = HistoricalRecords()

    class Meta(LogoPermission.Meta):
        pass


# --- Reports of pages that claim to be the district's ------------------------------------------


class FakeReportProblem(models.TextChoices):
    IMPERSONATION = "impersonation", _("It pretends to be the district, a school, a club or a team")
    LOGO = "logo", _("It uses our name or logo")
    HARMFUL = "harmful", _("It posts harmful content")
    INTIMATE_IMAGES = "intimate_images", _("It shows intimate images of a student")
    OTHER = "other", _("Something else")


class FakeReportVerdict(models.TextChoices):
    CONFIRMED_FAKE = "confirmed_fake", _("Confirmed fake: not an official page")
    OURS = "ours", _("Actually ours: an official page")
    NOT_FAKE = "not_fake", _("Not ours, but not a fake either")


class FakeReportOutcome(models.TextChoices):
    PENDING = "pending", _("Pending: the platform has not acted yet")
    REMOVED = "removed", _("Removed by the platform")
    REFUSED = "refused", _("Refused by the platform")


# The Take It Down Act (since May 19, 2026): a platform removes intimate images within 48 hours of a
# valid request.
INTIMATE_IMAGES_REMOVAL_HOURS = 48


class FakeAccountReport(models.Model):
    """Somebody (a family from the public directory, or staff) says a page claims to be the district's.
    The director decides whether it is one of ours, reports it to the platform, and records what the
    platform did; each step is audited (history) and dated, so the district can prove it followed up."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="fake_account_reports")
    address = models.URLField("page address", max_length=500)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The address read as a profile (registry.profile_urls): how it is matched with official accounts.
    handle = models.CharField(max_length=200, blank=True)
    handle_key = models.CharField(max_length=200, blank=True, editable=False)
    problem = models.CharField("what is wrong", max_length=20, choices=FakeReportProblem.choices)
    details = models.TextField(max_length=2000, blank=True, validators=[refuse_secrets])
    reporter_contact = models.CharField("reporter's contact", max_length=200, blank=True)
    reported_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    verdict = models.CharField(max_length=20, choices=FakeReportVerdict.choices, blank=True)
    verdict_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verdict_at = models.DateTimeField(null=True, blank=True)

    platform_reported_at = models.DateTimeField("reported to the platform at", null=True, blank=True)
    platform_reference = models.CharField("platform's reference", max_length=200, blank=True)
    platform_reported_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    platform_deadline_at = models.DateTimeField("platform's deadline", null=True, blank=True)

    outcome = models.CharField(max_length=10, choices=FakeReportOutcome.choices, blank=True)
    outcome_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["handle_key"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["district", "-created_at"], name="fake_report_district_new"),
            models.Index(fields=["district", "handle_key"], name="fake_report_district_key"),
            models.Index(fields=["platform_deadline_at"], name="fake_report_deadline"),
        ]

    def __str__(self) -> str:
        return self.handle or self.address

    def get_absolute_url(self) -> str:
        return reverse("registry:fake_report_detail", args=[self.pk])

    @property
    def is_urgent(self) -> bool:
        return self.problem == FakeReportProblem.INTIMATE_IMAGES

    @property
    def is_closed(self) -> bool:
        """Nothing more to chase: the page is ours or harmless, or the platform has answered."""
        return self.verdict in (FakeReportVerdict.OURS, FakeReportVerdict.NOT_FAKE) or self.outcome in (
            FakeReportOutcome.REMOVED,
            FakeReportOutcome.REFUSED,
        )

    def deadline_after(self, reported_at: datetime.datetime) -> datetime.datetime | None:
        """The removal deadline the law sets from the report to the platform (None when it sets none)."""
        if self.is_urgent:
            return reported_at + datetime.timedelta(hours=INTIMATE_IMAGES_REMOVAL_HOURS)
        return None

    def is_past_deadline(self, now: datetime.datetime | None = None) -> bool:
        return (
            self.platform_deadline_at is not None
            and not self.is_closed
            and self.platform_deadline_at < (now or timezone.now())
        )
