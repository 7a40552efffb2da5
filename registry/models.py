"""Official social accounts, their designated administrators and their annual reviews."""

from __future__ import annotations

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import District, Program, School, User
from registry import profile_urls

# --- Never a password ---------------------------------------------------------------------

# "password: hunter2", "pw=...", "recovery codes 1234 5678": a credential written into a note.
_SECRET_LABEL = re.compile(
    r"\b(pass ?words?|passwd|pass ?phrase|passcode|pwd|pw|pin|secret|"
    r"(?:backup|recovery|2fa|mfa|verification) codes?)\b\s*(?:is|was|=|:|-)\s*\S",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?://|www\.)|^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", re.IGNORECASE)


def _looks_like_secret_token(token: str) -> bool:
    """A run of 10+ characters mixing upper case, lower case, digits and symbols, the way
    generated passwords look (and names, handles and addresses do not)."""
    token = token.strip(".,;:!?()[]\"'")
    if len(token) < 10 or _URLISH.search(token):
        return False
    classes = sum(
        (
            any(c.islower() for c in token),
            any(c.isupper() for c in token),
            any(c.isdigit() for c in token),
            any(not c.isalnum() for c in token),
        )
    )
    return classes == 4


def refuse_secrets(value: str) -> None:
    """We keep how the district can recover an account, never the secret itself."""
    if not value:
        return
    if _SECRET_LABEL.search(value) or any(_looks_like_secret_token(t) for t in value.split()):
        raise ValidationError(
            "This looks like a password or a recovery code. Never store one here: write down where the "
            "district keeps it (for example “in the technology office's password manager”).",
            code="secret",
        )


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


class LogoPermissionForm(models.TextChoices):
    LETTER = "letter", "Signed letter or form"
    EMAIL = "email", "E-mail"
    BOARD_MINUTES = "board_minutes", "School Board minutes"
    IN_APP = "in_app", "Recorded here by the person granting it"


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
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform.name})"

    def get_absolute_url(self) -> str:
        return reverse("registry:account_detail", args=[self.pk])

    @property
    def owner_name(self) -> str:
        if self.owner_kind == OwnerKind.PROGRAM and self.program_id:
            return f"{self.program.name}, {self.school.name}"
        if self.owner_kind == OwnerKind.SCHOOL and self.school_id:
            return self.school.name
        if self.owner_kind == OwnerKind.STAFF and self.owner_staff_id:
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
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in (AccountStatus.REJECTED, AccountStatus.RETIRED)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or that month's last day when it is shorter (Jan 31 + 1 → Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.reviewed_on.isoformat()}"


# --- Decisions the policy reserves to the Superintendent, a designee or the School Board ------


class ApprovalPower(models.TextChoices):
    """The decisions the seed policies reserve; the district's profile says who takes each."""

    TOOLS = "tools", "Approve tools for instruction"
    INSTRUCTIONAL_USE = "instructional_use", "Authorize a tool's use with students"
    LOGO_USE = "logo_use", "Grant permission to use the district logo"


class DecidedAs(models.TextChoices):
    SUPERINTENDENT = "superintendent", "The Superintendent"
    DESIGNEE = "designee", "The Superintendent's designee"
    SCHOOL_BOARD = "school_board", "The School Board"


class Designee(models.Model):
    """The Superintendent names someone, in writing, to decide for them (one power, for a period)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="designees")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="designations")
    power = models.CharField(max_length=20, choices=ApprovalPower.choices)
    designated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("from", default=timezone.localdate)
    ends_on = models.DateField("ended on", null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, validators=[refuse_secrets])

    history = HistoricalRecords()

    class Meta:
        ordering = ["power", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "user", "power"], condition=Q(ends_on__isnull=True), name="designee_once_per_power"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — designee: {self.get_power_display()}"


# --- The approved-tool list -----------------------------------------------------------------


class ToolStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    UNDER_REVIEW = "under_review", "Under review"
    NOT_APPROVED = "not_approved", "Not approved"
    RETIRED = "retired", "Retired"


# A tool staff may use (within its conditions); the others may not be used with students.
USABLE_TOOL_STATUSES = (ToolStatus.APPROVED, ToolStatus.APPROVED_WITH_CONDITIONS)
DECIDED_TOOL_STATUSES = (*USABLE_TOOL_STATUSES, ToolStatus.NOT_APPROVED)


class ToolCategory(models.TextChoices):
    SOCIAL_MEDIA = "social_media", "Social network"
    VIDEO = "video", "Video and streaming"
    CLASSROOM = "classroom", "Classroom or learning platform"
    COMMUNICATION = "communication", "Messaging with families or students"
    CREATION = "creation", "Creating and publishing (blogs, portfolios, sites)"
    ASSESSMENT = "assessment", "Quizzes and assessment"
    PRODUCTIVITY = "productivity", "Documents and productivity"
    OTHER = "other", "Other"


class Grade(models.IntegerChoices):
    PRE_K = -1, "Pre-K"
    KINDERGARTEN = 0, "Kindergarten"
    GRADE_1 = 1, "Grade 1"
    GRADE_2 = 2, "Grade 2"
    GRADE_3 = 3, "Grade 3"
    GRADE_4 = 4, "Grade 4"
    GRADE_5 = 5, "Grade 5"
    GRADE_6 = 6, "Grade 6"
    GRADE_7 = 7, "Grade 7"
    GRADE_8 = 8, "Grade 8"
    GRADE_9 = 9, "Grade 9"
    GRADE_10 = 10, "Grade 10"
    GRADE_11 = 11, "Grade 11"
    GRADE_12 = 12, "Grade 12"


# Children start kindergarten at five, so a grade's youngest students are grade + 5 years old.
KINDERGARTEN_AGE = 5
# Online services need verifiable parental consent for children under 13 (COPPA).
COPPA_AGE = 13


def youngest_age_in(grade: int) -> int:
    return grade + KINDERGARTEN_AGE


def grade_band_label(lowest: int | None, highest: int | None) -> str:
    short = {-1: "Pre-K", 0: "K"}
    if lowest is None and highest is None:
        return "Any grade"
    low = short.get(lowest, str(lowest)) if lowest is not None else "Pre-K"
    high = short.get(highest, str(highest)) if highest is not None else "12"
    return f"Grade {low}" if low == high else f"Grades {low}–{high}"


class Tool(models.Model):
    """A social network or online tool on the district's list, with the decision about it."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="tools")
    name = models.CharField(max_length=200)
    vendor = models.CharField(max_length=200, blank=True)
    website = models.URLField(max_length=500, blank=True)
    category = models.CharField(max_length=20, choices=ToolCategory.choices, default=ToolCategory.OTHER)
    description = models.TextField("what it is used for", max_length=2000, blank=True, validators=[refuse_secrets])
    is_public_social_media = models.BooleanField(
        "public social network",
        default=False,
        help_text="Anyone can see what is posted. The policy needs the Superintendent's authorization and "
        "parental consent before students take part.",
    )
    status = models.CharField(max_length=30, choices=ToolStatus.choices, default=ToolStatus.UNDER_REVIEW)
    conditions = models.TextField(
        "conditions of use",
        max_length=2000,
        blank=True,
        validators=[refuse_secrets],
        help_text="What staff must do or avoid, e.g. “teacher-created class accounts only; no student surnames”.",
    )
    lowest_grade = models.SmallIntegerField("from grade", choices=Grade.choices, null=True, blank=True)
    highest_grade = models.SmallIntegerField("to grade", choices=Grade.choices, null=True, blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        "minimum age in the tool's terms",
        null=True,
        blank=True,
        validators=[MaxValueValidator(21)],
        help_text="Many social networks require users to be 13.",
    )
    privacy_agreement_on_file = models.BooleanField("student data privacy agreement on file", default=False)
    privacy_agreement_expires_on = models.DateField("privacy agreement expires on", null=True, blank=True)
    parental_consent_required = models.BooleanField(
        "parental consent required for students to take part",
        default=False,
        help_text="Always the case for public social networks.",
    )
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_as = models.CharField("decided by", max_length=20, choices=DecidedAs.choices, blank=True)
    decided_on = models.DateField("decided on", null=True, blank=True)
    decision_reference = models.CharField(
        "written record",
        max_length=300,
        blank=True,
        validators=[refuse_secrets],
        help_text="Where the decision is written down, e.g. “Board minutes, March 9, 2026, item 7”.",
    )
    next_review_on = models.DateField("next review date", null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "district", name="tool_unique_name_per_district"),
            models.CheckConstraint(
                name="tool_conditions_written_down",
                condition=~Q(status="approved_with_conditions") | ~Q(conditions=""),
            ),
            models.CheckConstraint(
                name="tool_decision_dated",
                condition=~Q(status__in=["approved", "approved_with_conditions", "not_approved"])
                | Q(decided_on__isnull=False),
            ),
            models.CheckConstraint(
                name="tool_grade_band_in_order",
                condition=Q(lowest_grade__isnull=True)
                | Q(highest_grade__isnull=True)
                | Q(lowest_grade__lte=models.F("highest_grade")),
            ),
            models.CheckConstraint(
                name="tool_agreement_expiry_needs_agreement",
                condition=Q(privacy_agreement_expires_on__isnull=True) | Q(privacy_agreement_on_file=True),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status"], name="tool_district_status"),
            models.Index(fields=["next_review_on"], name="tool_next_review"),
            models.Index(fields=["privacy_agreement_expires_on"], name="tool_agreement_expiry"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tools:tool_detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.status == ToolStatus.APPROVED_WITH_CONDITIONS and not self.conditions.strip():
            errors["conditions"] = "Write down the conditions staff must follow."
        if self.lowest_grade is not None and self.highest_grade is not None and self.lowest_grade > self.highest_grade:
            errors["highest_grade"] = "The last grade cannot come before the first."
        if self.privacy_agreement_expires_on and not self.privacy_agreement_on_file:
            errors["privacy_agreement_on_file"] = "An expiry date means an agreement is on file: tick the box."
        if errors:
            raise ValidationError(errors)

    @property
    def is_usable(self) -> bool:
        return self.status in USABLE_TOOL_STATUSES

    @property
    def needs_participation_consent(self) -> bool:
        """Students take part only with their parents' consent (the policy's rule for public networks)."""
        return self.is_public_social_media or self.parental_consent_required

    @property
    def grade_band(self) -> str:
        return grade_band_label(self.lowest_grade, self.highest_grade)

    @property
    def used_under_13(self) -> bool:
        """The grade band reaches children younger than 13 (or no band is set at all)."""
        lowest = Grade.PRE_K if self.lowest_grade is None else self.lowest_grade
        return youngest_age_in(lowest) < COPPA_AGE

    @property
    def age_warning(self) -> str:
        """Said when the youngest students in the band are younger than the tool's terms allow."""
        if self.minimum_age is None or self.lowest_grade is None:
            return ""
        youngest = youngest_age_in(self.lowest_grade)
        if youngest >= self.minimum_age:
            return ""
        return (
            f"The tool's terms require users to be {self.minimum_age}, but students in "
            f"{Grade(self.lowest_grade).label.lower()} can be {youngest}."
        )

    def review_due_after(self, day: datetime.date) -> datetime.date:
        return add_months(day, self.district.tool_review_interval_months)


class ToolRequestStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DECLINED = "declined", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReservedDecision(models.Model):
    """A decision the policy reserves (see access.decision_capacities): who took it, in which
    capacity, when, why, and where it is written down."""

    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_as = models.CharField("decided by", max_length=20, choices=DecidedAs.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("reason", max_length=2000, blank=True, validators=[refuse_secrets])
    decision_reference = models.CharField("written record", max_length=300, blank=True, validators=[refuse_secrets])

    class Meta:
        abstract = True

    def record_decision(self, *, by: User, capacity: str, reason: str = "", reference: str = "") -> None:
        self.decided_by = by
        self.decided_as = capacity
        self.decided_at = timezone.now()
        self.decision_reason = reason.strip()
        self.decision_reference = reference.strip()


class ToolRequest(ReservedDecision):
    """A staff member asks for a tool to be approved: what, why, and for which students."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="tool_requests")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="tool_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    tool = models.ForeignKey(
        Tool, on_delete=models.PROTECT, null=True, blank=True, related_name="requests", help_text="Set once decided."
    )
    tool_name = models.CharField("tool", max_length=200)
    website = models.URLField(max_length=500, blank=True)
    is_public_social_media = models.BooleanField("it is a public social network", default=False)
    purpose = models.TextField("what you will use it for", max_length=2000, validators=[refuse_secrets])
    students = models.TextField(
        "which students",
        max_length=1000,
        validators=[refuse_secrets],
        help_text="Classes, grades and about how many students, e.g. “my two 7th-grade science classes, 54 students”.",
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lowest_grade = models.SmallIntegerField("from grade", choices=Grade.choices, null=True, blank=True)
    highest_grade = models.SmallIntegerField("to grade", choices=Grade.choices, null=True, blank=True)
    status = models.CharField(max_length=30, choices=ToolRequestStatus.choices, default=ToolRequestStatus.WAITING)

    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="tool_request_declined_with_reason",
                condition=~Q(status="declined") | ~Q(decision_reason=""),
            ),
            models.CheckConstraint(
                name="tool_request_decided_with_tool",
                condition=~Q(status__in=["approved", "approved_with_conditions"]) | Q(tool__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["district", "status"], name="tool_request_district_status")]

    def __str__(self) -> str:
        return f"{self.tool_name} (requested by {self.requested_by})"

    def get_absolute_url(self) -> str:
        return reverse("tools:request_detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status == ToolRequestStatus.WAITING

    @property
    def grade_band(self) -> str:
        return grade_band_label(self.lowest_grade, self.highest_grade)


class AuthorizationStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for authorization"
    AUTHORIZED = "authorized", "Authorized"
    DECLINED = "declined", "Not authorized"
    REVOKED = "revoked", "Revoked"
    WITHDRAWN = "withdrawn", "Withdrawn"


class InstructionalUse(ReservedDecision):
    """The Superintendent's (or designee's) authorization for a staff member to use a tool with
    a class or program between two dates. When the tool needs parental consent, the consent app
    opens a participation scope for it and decides whether it is ready (see consent.selectors)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="instructional_uses")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="instructional_uses")
    program = models.ForeignKey(
        Program,
        verbose_name="class or program",
        on_delete=models.PROTECT,
        related_name="instructional_uses",
    )
    staff_member = models.ForeignKey(
        User, verbose_name="staff member using it", on_delete=models.PROTECT, related_name="instructional_uses"
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    purpose = models.TextField("what the students will do", max_length=2000, validators=[refuse_secrets])
    starts_on = models.DateField("from")
    ends_on = models.DateField("until")
    status = models.CharField(max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.REQUESTED)
    # Revoked or withdrawn: who ended it, when and why (the decision above stays as it was taken).
    ended_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField("why it ended", max_length=2000, blank=True, validators=[refuse_secrets])

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="instructional_use_dates_in_order", condition=Q(ends_on__gte=F("starts_on"))),
            models.CheckConstraint(
                name="instructional_use_refusal_with_reason",
                condition=~Q(status="declined") | ~Q(decision_reason=""),
            ),
            models.CheckConstraint(
                name="instructional_use_revoked_with_reason",
                condition=~Q(status="revoked") | (~Q(end_reason="") & Q(ended_at__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "ends_on"], name="use_district_status_end"),
            models.Index(fields=["program", "status"], name="use_program_status"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.name} with {self.program.name}"

    def get_absolute_url(self) -> str:
        return reverse("authorizations:detail", args=[self.pk])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The last day cannot come before the first."})

    def covers(self, day: datetime.date) -> bool:
        """Authorized and within its dates on `day`."""
        return self.status == AuthorizationStatus.AUTHORIZED and self.starts_on <= day <= self.ends_on

    def has_ended(self, day: datetime.date) -> bool:
        return self.ends_on < day


# --- Written permission to use the district logo ------------------------------------------


class LogoPermission(models.Model):
    """Written permission to use the district logo on one official account or one tool, given by
    whom the policy names. Withdrawing it keeps the record; a new grant is a new row."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="logo_permissions")
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="logo_permissions"
    )
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, null=True, blank=True, related_name="logo_permissions")
    decided_as = models.CharField("granted by", max_length=20, choices=DecidedAs.choices)
    granted_by_name = models.CharField(
        "name of the person or body granting it", max_length=200, validators=[refuse_secrets]
    )
    granted_on = models.DateField()
    written_as = models.CharField("given in writing as", max_length=20, choices=LogoPermissionForm.choices)
    reference = models.CharField(
        "where the writing is kept",
        max_length=300,
        blank=True,
        validators=[refuse_secrets],
        help_text="E.g. “letter of March 3, 2026 in the communications office file” or the Board minutes.",
    )
    conditions = models.CharField(max_length=500, blank=True, validators=[refuse_secrets])
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    withdrawal_reason = models.CharField(max_length=500, blank=True, validators=[refuse_secrets])

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="logo_permission_for_one_thing",
                condition=Q(account__isnull=False, tool__isnull=True) | Q(account__isnull=True, tool__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(withdrawn_on__isnull=True, account__isnull=False),
                name="logo_permission_one_current_per_account",
            ),
            models.UniqueConstraint(
                fields=["tool"],
                condition=Q(withdrawn_on__isnull=True, tool__isnull=False),
                name="logo_permission_one_current_per_tool",
            ),
        ]

    def __str__(self) -> str:
        subject = self.account or self.tool
        return f"Logo permission for {subject} ({self.granted_on.isoformat()})"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_on is None

    @property
    def summary(self) -> str:
        return (
            f"Permitted by {self.granted_by_name} ({self.get_decided_as_display()}) on "
            f"{self.granted_on:%B} {self.granted_on.day}, {self.granted_on.year}, "
            f"{self.get_written_as_display().lower()}"
        )
