"""The district directory: districts and their policy profile, schools, programs, people.

Rules about a single row live here as methods and database constraints. Actions that change
several rows (granting a role, importing a roster) live in services.py.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.dates import add_months


class PhotoModel(models.TextChoices):
    WRITTEN_CONSENT = "written_consent", "Written parental consent required"
    OPT_OUT = "opt_out", "Opt-out list (posting allowed unless the family opted out)"


class SocialMediaPhotoLists(models.TextChoices):
    """Which of the families' answers decide whether a student may appear on social media."""

    SOCIAL_MEDIA = "social_media", "The families' answer about social media"
    DIRECTORY_INFORMATION = "directory_information", "The directory-information opt-out list"
    BOTH = "both", "Both: a student on either list is not posted"


class PersonalSitePhotos(models.TextChoices):
    """Whether staff may post pictures of students on their personal sites and accounts."""

    SAME_RULE = "same_rule", "Under the same rule as official accounts"
    NEVER = "never", "Never: no pictures of students on personal sites"


# The zones US school districts are in (a district elsewhere is one line away).
US_TIME_ZONES = [
    ("America/New_York", "Eastern (New York)"),
    ("America/Detroit", "Eastern (Detroit)"),
    ("America/Indiana/Indianapolis", "Eastern (Indianapolis)"),
    ("America/Chicago", "Central (Chicago)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Mountain, no daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico)"),
    ("Pacific/Guam", "Chamorro (Guam)"),
]


class DisclosureRecipient(models.TextChoices):
    DISTRICT = "district", "The district office"
    SCHOOL = "school", "The employee's school (principal)"
    SUPERVISOR = "supervisor", "The employee's supervisor"


class Approver(models.TextChoices):
    SUPERINTENDENT = "superintendent", "The Superintendent"
    SUPERINTENDENT_OR_DESIGNEE = "superintendent_or_designee", "The Superintendent or designee"
    SCHOOL_BOARD = "school_board", "The School Board"
    SUPERINTENDENT_OR_BOARD = "superintendent_or_board", "The Superintendent or the School Board"


class ToolListVisibility(models.TextChoices):
    STAFF = "staff", "Staff only (signed in)"
    PUBLIC = "public", "Public (families and anyone)"


class TechnologyNoticeDeadline(models.TextChoices):
    """When state law wants families told which technology providers hold their children's data
    (Minnesota: within 30 days of the start of school; Ohio: by August 1; none in Wisconsin)."""

    NONE = "none", "No yearly notice required"
    DAYS_AFTER_START = "days_after_start", "A number of days after the school year starts"
    FIXED_DATE = "fixed_date", "By a fixed date each year"


@dataclass(frozen=True)
class SchoolYear:
    """A district's school year, named by the calendar year it starts in."""

    start_year: int
    start_month: int

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.start_year, self.start_month, 1)

    @property
    def ends_on(self) -> datetime.date:
        return SchoolYear(self.start_year + 1, self.start_month).starts_on - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return str(self.start_year)
        return f"{self.start_year}–{str(self.start_year + 1)[-2:]}"

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def next(self) -> SchoolYear:
        return SchoolYear(self.start_year + 1, self.start_month)

    def previous(self) -> SchoolYear:
        return SchoolYear(self.start_year - 1, self.start_month)

    def __str__(self) -> str:
        return self.label


def school_year_for(day: datetime.date, start_month: int) -> SchoolYear:
    """The school year that `day` falls in, for a year starting on the 1st of `start_month`."""
    start_year = day.year if day.month >= start_month else day.year - 1
    return SchoolYear(start_year, start_month)


DOMAIN_RE = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
TENANT_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class District(models.Model):
    """A school district and the social-media policy it has adopted (its policy profile)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="Short name used in addresses and commands.")
    roster_sourced_id = models.CharField(
        "roster district id",
        max_length=255,
        blank=True,
        help_text="The district's sourcedId in OneRoster exports from your student information system.",
    )
    policy_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="The board policy this profile follows, e.g. “Policy 547.0 Employee Use of Social Media”.",
    )

    # Photos of students
    photo_model = models.CharField(
        "student photo permission",
        max_length=20,
        choices=PhotoModel.choices,
        default=PhotoModel.WRITTEN_CONSENT,
        help_text="Written consent: no image is posted without a parent's written consent on file. "
        "Opt-out: images may be posted unless the family is on the opt-out list.",
    )
    public_arena_exception = models.BooleanField(
        "public-arena exception",
        default=False,
        help_text="Students at public events (sports, fine-arts performances) may appear without consent.",
    )
    social_media_photo_lists = models.CharField(
        "which list governs posting students on social media",
        max_length=30,
        choices=SocialMediaPhotoLists.choices,
        default=SocialMediaPhotoLists.SOCIAL_MEDIA,
        db_default=SocialMediaPhotoLists.SOCIAL_MEDIA,
        help_text="Policy 458, for example: no images on social media of students on the directory-information "
        "opt-out list. The lists, the quick check and the exports follow this answer.",
    )
    personal_site_student_photos = models.CharField(
        "pictures of students on staff's personal sites",
        max_length=20,
        choices=PersonalSitePhotos.choices,
        default=PersonalSitePhotos.SAME_RULE,
        db_default=PersonalSitePhotos.SAME_RULE,
        help_text="Policy 458's guidelines: “Staff may not post student pictures … on personal online social media "
        "sites”. The “May I post this student?” check answers for a personal site by this rule.",
    )
    consent_renewed_each_school_year = models.BooleanField(
        "consent collected again each school year",
        default=False,
        db_default=False,
        help_text="On: last year's answers stop counting on the first day of the new school year, so every family "
        "answers again. None of the seed policies asks for it; turn it on only where your policy does.",
    )
    family_link_days = models.PositiveSmallIntegerField(
        "families' consent links stay valid for (days)",
        default=60,
        db_default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="After this a family's link shows how to ask the school for a new one.",
    )
    family_reminder_days = models.PositiveSmallIntegerField(
        "remind families who have not answered after (days)",
        default=7,
        db_default=7,
        validators=[MaxValueValidator(90)],
        help_text="One reminder e-mail this many days after the link was sent, unless they answered. 0: none.",
    )
    departed_student_retention_months = models.PositiveSmallIntegerField(
        "keep records of departed students for (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Students who left longer ago than this are removed with their consent records by the purge command.",
    )

    # Official accounts
    min_account_administrators = models.PositiveSmallIntegerField(
        "minimum administrators per account",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="An official account cannot be active with fewer designated administrators.",
    )
    preferred_account_administrators = models.PositiveSmallIntegerField(
        "preferred administrators per account",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Accounts with fewer administrators than this are shown with a warning.",
    )
    approval_before_launch = models.BooleanField(
        "approval required before launch",
        default=True,
        help_text="A new official account must be approved by the technology director before it goes live.",
    )
    communications_review_before_launch = models.BooleanField(
        "communications office sees the page before launch",
        default=False,
        help_text="The communications (community relations) office must confirm it has seen a page before launch.",
    )
    administrator_acknowledgement_required = models.BooleanField(
        "administrators acknowledge the guidelines before they count",
        default=False,
        db_default=False,
        help_text="On: a designated administrator counts toward an account's minimum (and its launch) only once they "
        "have acknowledged the district's social media guidelines (Policy 458 IV.B.5, 547 IV.F).",
    )
    disclosure_before_power = models.BooleanField(
        "disclosure filed before any power",
        default=False,
        db_default=False,
        help_text="On: an employee who has not filed this school year's disclosure cannot be designated an account "
        "administrator or ask to use a tool with students.",
    )
    account_review_interval_months = models.PositiveSmallIntegerField(
        "account review interval (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Each official account is re-certified at least this often (at most 12: at least annually).",
    )
    public_directory_enabled = models.BooleanField(
        "public directory of official accounts",
        default=True,
        help_text="Families can check without signing in that a page is an official one.",
    )

    # Staff disclosures
    disclosure_required = models.BooleanField(
        "annual staff disclosure required",
        default=True,
        help_text="Employees disclose each year the student-group or public networks they take part in.",
    )
    disclosure_recipient = models.CharField(
        "disclosures go to",
        max_length=20,
        choices=DisclosureRecipient.choices,
        default=DisclosureRecipient.DISTRICT,
    )

    # Approvals
    tool_approver = models.CharField(
        "who approves instructional tools",
        max_length=40,
        choices=Approver.choices,
        default=Approver.SUPERINTENDENT_OR_DESIGNEE,
    )
    instructional_use_approver = models.CharField(
        "who authorizes public networks for instruction",
        max_length=40,
        choices=Approver.choices,
        default=Approver.SUPERINTENDENT_OR_DESIGNEE,
    )
    logo_use_approver = models.CharField(
        "who grants written permission to use the district logo",
        max_length=40,
        choices=Approver.choices,
        default=Approver.SUPERINTENDENT_OR_DESIGNEE,
    )
    # 460, 436 and 547 require the Superintendent's (or Board's) permission to use the logo; 458 says
    # nothing of the logo and 4118.51 ties it to the approved networks: no letter to record there.
    logo_permission_required = models.BooleanField(
        "the district logo needs written permission",
        default=True,
        db_default=True,
        help_text="On: the logo is used on an account or tool only with a recorded permission from whoever "
        "the policy names. Off: the policy provides no such permission, and none is recorded.",
    )
    # 4118.51: no district logo or images on networks the district has not approved.
    official_accounts_on_approved_networks_only = models.BooleanField(
        "official accounts only on networks the tool list approves",
        default=False,
        db_default=False,
        help_text="On: an official account, and permission to use the logo on it, is refused on a social network "
        "the approved-tool list does not approve, and live accounts on a network that leaves the list are flagged.",
    )
    # None of the five policies lets anyone authorize a tool beyond the grades and age it was approved
    # for; a district whose policy does can say so here.
    tool_limits_exception_allowed = models.BooleanField(
        "a tool may be authorized beyond its grades or minimum age, as a written exception",
        default=False,
        db_default=False,
        help_text="Off: a class with a student outside the tool's grade band or younger than its minimum age is "
        "refused. On: whoever authorizes may make an exception, and must write down why.",
    )
    spokesperson_approver = models.CharField(
        "who authorizes staff to speak for the district",
        max_length=40,
        choices=Approver.choices,
        default=Approver.SUPERINTENDENT_OR_DESIGNEE,
        db_default=Approver.SUPERINTENDENT_OR_DESIGNEE,
        help_text="Staff may not act as a spokesperson for the district except as authorized by this person or body.",
    )
    tool_list_visibility = models.CharField(
        "approved-tool list visible to",
        max_length=20,
        choices=ToolListVisibility.choices,
        default=ToolListVisibility.STAFF,
    )
    tool_review_interval_months = models.PositiveSmallIntegerField(
        "tool review interval (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # State student-data laws: a yearly notice to families of the technology providers holding student data.
    technology_notice_deadline = models.CharField(
        "yearly technology notice to families",
        max_length=20,
        choices=TechnologyNoticeDeadline.choices,
        default=TechnologyNoticeDeadline.NONE,
        db_default=TechnologyNoticeDeadline.NONE,
        help_text="Minnesota: within 30 days of the start of school. Ohio: by August 1. The director is reminded "
        "before the deadline until the notice is published.",
    )
    technology_notice_days = models.PositiveSmallIntegerField(
        "technology notice due (days after the school year starts)",
        default=30,
        db_default=30,
        validators=[MinValueValidator(0), MaxValueValidator(180)],
        help_text="Used when the notice is due a number of days after the school year starts.",
    )
    technology_notice_month = models.PositiveSmallIntegerField(
        "technology notice due by (month)",
        default=8,
        db_default=8,
        choices=[(m, datetime.date(2000, m, 1).strftime("%B")) for m in range(1, 13)],
        help_text="Used when the notice is due by a fixed date: its month and day, in the calendar year the "
        "school year starts.",
    )
    technology_notice_day = models.PositiveSmallIntegerField(
        "technology notice due by (day of the month)",
        default=1,
        db_default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )

    # The policy documents themselves (PolicyDocument)
    policy_review_interval_months = models.PositiveSmallIntegerField(
        "policy reviewed at least every (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Policy 547: “at least annually” (12). Empty: the policy sets no review cycle. A policy document "
        "past its review date is on the director's list.",
    )

    # Calendar and reminders
    # The director's setup checklist reads these: saving the profile is reviewing it, changed or not.
    policy_reviewed_at = models.DateTimeField("policy profile last reviewed", null=True, blank=True, editable=False)
    policy_reviewed_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        choices=US_TIME_ZONES,
        default="America/Chicago",
        db_default="America/Chicago",
        help_text="Dates and times on the district's pages are shown in this zone.",
    )
    school_year_start_month = models.PositiveSmallIntegerField(
        "school year starts in",
        default=7,
        choices=[(m, datetime.date(2000, m, 1).strftime("%B")) for m in range(1, 13)],
        help_text="The month on whose first day a new school year begins (consent renewals, disclosure cycles).",
    )
    reminder_days_before_due = models.PositiveSmallIntegerField(
        "first reminder (days before a due date)",
        default=14,
        validators=[MaxValueValidator(90)],
    )
    overdue_reminder_interval_days = models.PositiveSmallIntegerField(
        "repeat overdue reminders every (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    # Roster import
    roster_deactivation_limit_percent = models.PositiveSmallIntegerField(
        "most people one roster import may deactivate (%)",
        default=10,
        db_default=10,  # rows written without the field (raw SQL, older code mid-deploy) get it too
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A roster file that would deactivate more than this share of the district's active staff, or of "
        "its active students, is refused until the person importing it confirms that those people have left. "
        "It stops a wrong or cut-short export from locking everyone out.",
    )

    # Signing in and mail (a director's settings, not the board's policy)
    sign_in_domains = models.CharField(
        "e-mail domains staff sign in with",
        max_length=500,
        blank=True,
        db_default="",
        help_text="The district's Google Workspace or Microsoft 365 domains, e.g. “willmar.k12.mn.us”, separated "
        "by spaces. Only staff whose address is on one of them sign in with Google or Microsoft.",
    )
    microsoft_tenant_ids = models.CharField(
        "Microsoft 365 tenant ids",
        max_length=500,
        blank=True,
        db_default="",
        help_text="Your Microsoft Entra tenant id (a UUID, in the Entra admin center under Overview), separated "
        "by spaces if you have several. Required for signing in with Microsoft.",
    )
    password_sign_in = models.BooleanField(
        "staff may also sign in with a password",
        default=True,
        db_default=True,
        help_text="Off: staff sign in only with Google or Microsoft (the site's operators keep a password).",
    )
    mail_sender_name = models.CharField(
        "e-mails are sent as",
        max_length=120,
        blank=True,
        db_default="",
        help_text="The sender's name people see, e.g. “Willmar Public Schools Technology”. Empty: the district's name.",
    )
    mail_reply_to = models.EmailField(
        "replies go to",
        max_length=254,
        blank=True,
        db_default="",
        help_text="The address a reply reaches, e.g. the technology office's. Empty: replies are not expected.",
    )
    accessibility_contact = models.EmailField(
        "report an accessibility barrier to",
        max_length=254,
        blank=True,
        default="",
        db_default="",
        help_text="Named on the accessibility statement. Empty: the address replies go to.",
    )
    # Which roster the district holds: every import that changes it adds one, so a preview can be
    # applied only to the district it was made for (accounts.roster: the import checks it under a lock).
    roster_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    roster_imported_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["roster_version", "roster_imported_at", "policy_reviewed_at", "policy_reviewed_by"]
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_account_administrators__gte=models.F("min_account_administrators")),
                name="district_preferred_admins_at_least_minimum",
                violation_error_message="The preferred number of administrators cannot be below the minimum.",
            ),
            models.CheckConstraint(
                condition=Q(school_year_start_month__gte=1, school_year_start_month__lte=12),
                name="district_school_year_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(roster_deactivation_limit_percent__gte=1, roster_deactivation_limit_percent__lte=100),
                name="district_roster_deactivation_limit_valid",
                violation_error_message="The share of people one roster import may deactivate is from 1 to 100%.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("district_detail", args=[self.slug])

    def school_year_for(self, day: datetime.date | None = None) -> SchoolYear:
        return school_year_for(day or timezone.localdate(), self.school_year_start_month)

    @property
    def current_school_year(self) -> SchoolYear:
        return self.school_year_for()

    def technology_notice_due_on(self, year: SchoolYear) -> datetime.date | None:
        """When the families' technology notice of `year` is due under the profile (None: not required)."""
        if self.technology_notice_deadline == TechnologyNoticeDeadline.DAYS_AFTER_START:
            return year.starts_on + datetime.timedelta(days=self.technology_notice_days)
        if self.technology_notice_deadline == TechnologyNoticeDeadline.FIXED_DATE:
            try:
                return datetime.date(year.start_year, self.technology_notice_month, self.technology_notice_day)
            except ValueError:  # February 29 in a common year
                return datetime.date(year.start_year, self.technology_notice_month, 28)
        return None

    @property
    def sign_in_domain_list(self) -> list[str]:
        words = self.sign_in_domains.replace(",", " ").split()
        return sorted({word.lower().strip(".@ ") for word in words if word.strip(".@ ")})

    @property
    def microsoft_tenant_list(self) -> list[str]:
        return sorted({tenant.lower() for tenant in self.microsoft_tenant_ids.replace(",", " ").split() if tenant})

    @property
    def mail_sender(self) -> str:
        return self.mail_sender_name.strip() or self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        bad_domains = [d for d in self.sign_in_domain_list if not DOMAIN_RE.fullmatch(d)]
        if bad_domains:
            errors["sign_in_domains"] = f"Not a domain: {', '.join(bad_domains)}. Write e.g. “district.k12.mn.us”."
        bad_tenants = [t for t in self.microsoft_tenant_list if not TENANT_RE.fullmatch(t)]
        if bad_tenants:
            errors["microsoft_tenant_ids"] = (
                f"Not a tenant id: {', '.join(bad_tenants)}. It looks like 72f988bf-86f1-41af-91ab-2d7cd011db47."
            )
        if self.technology_notice_deadline == TechnologyNoticeDeadline.FIXED_DATE:
            try:
                datetime.date(2000, self.technology_notice_month, self.technology_notice_day)
            except (TypeError, ValueError):
                errors["technology_notice_day"] = "That month has no such day."
        if errors:
            raise ValidationError(errors)


# The policy-profile fields that say who holds a power the policies reserve to the Superintendent.
RESERVED_POWER_FIELDS = ("tool_approver", "instructional_use_approver", "logo_use_approver", "spokesperson_approver")


class PolicyDocument(models.Model):
    """One version of a district's board policy (or its regulation or guidelines), as adopted or
    last reviewed. A new version is a new row; the one it replaces is kept, no longer current, so an
    acknowledgement or attestation always names the version that was read."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="policy_documents")
    number = models.CharField("policy number", max_length=40, help_text="e.g. “458” or “547.0 / R-547.0”.")
    title = models.CharField(max_length=200, help_text="e.g. “Employee Use of Social Media”.")
    version = models.CharField(
        max_length=60, help_text="How the district names this version, e.g. the date the Board approved it."
    )
    adopted_on = models.DateField("adopted on", null=True, blank=True)
    last_reviewed_on = models.DateField("last reviewed on", null=True, blank=True)
    text = models.TextField("text of the policy", blank=True)
    url = models.URLField("link to the policy", max_length=500, blank=True)
    current = models.BooleanField(default=True, editable=False)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "number"], condition=Q(current=True), name="policy_document_one_current_version"
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(url=""),
                name="policy_document_has_text_or_link",
                violation_error_message="Give the text of the policy or a link to it.",
            ),
        ]

    def __str__(self) -> str:
        return f"Policy {self.number} {self.title}"

    @property
    def version_label(self) -> str:
        return f"Policy {self.number}, version {self.version}"

    def review_due_on(self) -> datetime.date | None:
        """When the policy is next due for review, under the district's cycle (None: no cycle, or no date known)."""
        interval = self.district.policy_review_interval_months
        reviewed = self.last_reviewed_on or self.adopted_on
        if interval is None or reviewed is None:
            return None
        return add_months(reviewed, interval)

    def is_past_review(self, on: datetime.date) -> bool:
        """Past its review date, or under a review cycle with no date at all to count from."""
        if self.district.policy_review_interval_months is None:
            return False
        due = self.review_due_on()
        return due is None or due < on


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    code = models.CharField("school code", max_length=64, blank=True, help_text="State or SIS school number.")
    roster_sourced_id = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: not from the roster, outside the unique key
    active = models.BooleanField(default=True)
    # Added by a director between roster syncs; the next import matches it (by code, else by name).
    entered_by_hand_at = models.DateTimeField("entered by hand on", null=True, blank=True, editable=False)
    entered_by_hand_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    roster_matched_at = models.DateTimeField("matched by the roster on", null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "roster_sourced_id"], name="school_unique_roster_id"),
        ]
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("school_detail", args=[self.pk])

    @property
    def awaiting_roster(self) -> bool:
        """Entered by hand and not yet matched by a roster import."""
        return self.entered_by_hand_at is not None and self.roster_matched_at is None


class ProgramKind(models.TextChoices):
    CLUB = "club", "Club"
    TEAM = "team", "Team"
    ACTIVITY = "activity", "Activity"
    DEPARTMENT = "department", "Department"
    CLASS = "class", "Class"


class Program(models.Model):
    """A club, team, activity, department or class of a school."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="programs")
    kind = models.CharField(max_length=20, choices=ProgramKind.choices)
    name = models.CharField(max_length=200)
    roster_sourced_id = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: not from the roster, outside the unique key
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "roster_sourced_id"], name="program_unique_roster_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_superuser", False)
        extra.setdefault("is_staff", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_superuser"] = True
        extra["is_staff"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a district employee (or a platform operator, with no district)."""

    email = models.EmailField("e-mail", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="staff", null=True, blank=True, db_index=False
    )
    employee_id = models.CharField("employee id", max_length=64, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    roster_sourced_id = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: not from the roster, outside the unique key
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive people cannot sign in and are not counted as staff."
    )
    started_on = models.DateField(
        "started in the district on",
        null=True,
        blank=True,
        help_text="Staff who start after a disclosure cycle opens get the grace period from this date.",
    )
    left_on = models.DateField("left the district on", null=True, blank=True)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_staff",
        help_text="Receives this person's annual disclosure when the policy sends disclosures to the supervisor.",
    )
    is_staff = models.BooleanField(
        "platform operator", default=False, help_text="May use the Django admin site (our support staff only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(
        "last invited to sign in", null=True, blank=True, help_text="When the director last sent them an invitation."
    )
    # Added by a director between roster syncs; the next import matches them by e-mail.
    entered_by_hand_at = models.DateTimeField("entered by hand on", null=True, blank=True, editable=False)
    entered_by_hand_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    roster_matched_at = models.DateTimeField("matched by the roster on", null=True, blank=True, editable=False)

    objects = UserManager()
    # Who changed someone's supervisor or dates matters: it decides who receives their disclosure.
    # Signing in and being invited are bookkeeping, not changes to the person's record.
    history = HistoricalRecords(excluded_fields=["password", "last_login", "invited_at"])

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "roster_sourced_id"], name="user_unique_roster_id"),
            models.UniqueConstraint(
                fields=["district", "employee_id"], condition=~Q(employee_id=""), name="user_unique_employee_id"
            ),
            # Mail servers ignore case: Ana.Lee@ and ana.lee@ are one person, never two.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message="Someone already signs in with this e-mail address.",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "last_name", "first_name"]),
            # The staff list sorted by a column (accounts.filters.STAFF_SORTS) at 150,000 staff: the
            # page's rows read in the index's order, not sorted whole.
            models.Index(fields=["district", "email", "id"], name="user_district_email"),
            models.Index(fields=["district", "employee_id", "id"], name="user_district_employee_id"),
            # Plain columns: SQLite (the demo) cannot index NULLS FIRST; PostgreSQL reads this one
            # backwards for "most recent first".
            models.Index(fields=["district", "last_login", "id"], name="user_district_last_login"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("staff_detail", args=[self.pk])

    @property
    def awaiting_roster(self) -> bool:
        """Entered by hand and not yet matched by a roster import."""
        return self.entered_by_hand_at is not None and self.roster_matched_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Role(models.TextChoices):
    DIRECTOR = "director", "Technology director"
    SUPERINTENDENT = "superintendent", "Superintendent or designee"
    COMMUNICATIONS = "communications", "Communications office"
    PRINCIPAL = "principal", "Principal"
    CLERK = "clerk", "Office clerk"
    STAFF = "staff", "Staff member"


DISTRICT_WIDE_ROLES = frozenset({Role.DIRECTOR, Role.SUPERINTENDENT, Role.COMMUNICATIONS})
SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.CLERK})


class MembershipSource(models.TextChoices):
    ROSTER = "roster", "Roster import"
    MANUAL = "manual", "Assigned in the app"


class Membership(models.Model):
    """A role a user holds, district-wide (no school) or at one school. Ended, never deleted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="memberships", db_index=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    source = models.CharField(max_length=10, choices=MembershipSource.choices, default=MembershipSource.MANUAL)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(ended_on__isnull=True, school__isnull=False),
                name="membership_one_current_per_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(ended_on__isnull=True, school__isnull=True),
                name="membership_one_current_district_wide",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=False) | ~Q(role__in=sorted(SCHOOL_ROLES)),
                name="membership_school_role_needs_school",
                violation_error_message="Principals and clerks are assigned to a school.",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True) | ~Q(role__in=sorted(DISTRICT_WIDE_ROLES)),
                name="membership_district_role_has_no_school",
                violation_error_message="District-wide roles are not tied to a school.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["district", "role"], condition=Q(ended_on__isnull=True), name="membership_current_role"
            )
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school is not None else "district-wide"
        return f"{self.get_role_display()} ({where})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class Student(models.Model):
    """The minimum a district needs to honour photo consent: no photos, no contact details."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="students", db_index=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students", db_index=False)
    sis_id = models.CharField("student id", max_length=64, help_text="The student's id in the district's SIS.")
    roster_sourced_id = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: not from the roster, outside the unique key
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    grade = models.CharField(max_length=8, blank=True)
    # Finds the student in a district's consent export that carries no student id (name and birth
    # date); the roster does not supply it yet.
    birth_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sis_id"], name="student_unique_sis_id"),
            models.UniqueConstraint(fields=["district", "roster_sourced_id"], name="student_unique_roster_id"),
        ]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"], name="student_school_name"),
            # The district's students sorted by name or grade (accounts.filters.STUDENT_SORTS), 1,060,000
            # at the largest district: the page read in the index's order.
            models.Index(fields=["district", "last_name", "first_name", "id"], name="student_district_name"),
            models.Index(fields=["district", "grade", "last_name", "first_name", "id"], name="student_district_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("student_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Relationship(models.TextChoices):
    """OneRoster's roles for a student's family (users.csv role, or roles.csv in 1.2)."""

    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Guardian"
    RELATIVE = "relative", "Relative"


class Guardian(models.Model):
    """A student's parent or guardian from the roster: the minimum needed to reach them. Never signs
    in and is not a User. Shown only on the pages of their own students (accounts.access)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="guardians", db_index=False)
    roster_sourced_id = models.CharField(max_length=255)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.CharField("e-mail", max_length=254, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(max_length=35, blank=True)
    active = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)
    # Contact details are personal data: who changed them, and when, is kept.
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "roster_sourced_id"], name="guardian_unique_roster_id"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StudentGuardian(models.Model):
    """A guardian of one student, as the roster links them (agentSourcedIds). Ended, never deleted."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links", db_index=False)
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="student_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.GUARDIAN)
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="student_guardian_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relationship_display()} of {self.student})"


class ProgramRole(models.TextChoices):
    MEMBER = "member", "Member"
    ADVISOR = "advisor", "Advisor"
    COACH = "coach", "Coach"
    TEACHER = "teacher", "Teacher"


class ProgramMembership(models.Model):
    """Who belongs to a program: students as members, staff as advisors, coaches or teachers."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, null=True, blank=True, related_name="programs")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="programs")
    role = models.CharField(max_length=20, choices=ProgramRole.choices, default=ProgramRole.MEMBER)
    source = models.CharField(max_length=10, choices=MembershipSource.choices, default=MembershipSource.MANUAL)
    roster_sourced_id = models.CharField(max_length=255, null=True, blank=True, editable=False)  # noqa: DJ001 - NULL: not from the roster, outside the unique key
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(student__isnull=False, user__isnull=True) | Q(student__isnull=True, user__isnull=False)),
                name="program_membership_student_xor_staff",
            ),
            models.UniqueConstraint(
                fields=["program", "student"],
                condition=Q(ended_on__isnull=True, student__isnull=False),
                name="program_membership_one_current_student",
            ),
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(ended_on__isnull=True, user__isnull=False),
                name="program_membership_one_current_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student or self.user} in {self.program}"


class RosterImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Stopped: nothing was changed"


class RosterSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded"
    COMMAND = "command", "Command line"
    DROP_FOLDER = "drop_folder", "Drop folder"
    API = "api", "OneRoster API"


# The order a roster report is read in (JSON storage does not keep key order).
ROSTER_COUNT_ENTITIES = (
    "schools",
    "staff",
    "records entered by hand",  # schools and staff a director added between imports, matched instead of added
    "students",
    "birth dates",
    "guardians",
    "guardian links",
    "staff roles",
    "supervisors",
    "classes",
    "enrollments",
)
ROSTER_COUNT_COLUMNS = ("created", "matched", "changed", "deactivated", "ended")


class RosterImport(models.Model):
    """One upload of a OneRoster bundle: who sent it, what it did, or why it was refused."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="roster_imports")
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    dry_run = models.BooleanField(default=False)
    confirm_departures = models.BooleanField(
        "departures confirmed",
        default=False,
        help_text="Whoever started the import confirmed that the people it deactivates have left, so the "
        "district's limit on deactivations did not apply.",
    )
    status = models.CharField(max_length=20, choices=RosterImportStatus.choices, default=RosterImportStatus.QUEUED)
    source = models.CharField(max_length=20, choices=RosterSource.choices, default=RosterSource.UPLOAD)
    # What a preview was made from, so that applying it is refused once either changed.
    bundle_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    roster_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    applies = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="applied_by", editable=False
    )
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("roster_import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (RosterImportStatus.SUCCEEDED, RosterImportStatus.FAILED)

    def count_rows(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """The report's counts in reading order: [(entity, [(what, n), ...]), ...]."""
        counts = self.report.get("counts", {})
        return [
            (entity, [(what, counts[entity][what]) for what in ROSTER_COUNT_COLUMNS if what in counts[entity]])
            for entity in ROSTER_COUNT_ENTITIES
            if entity in counts
        ]

    @property
    def progress_cache_key(self) -> str:
        return f"roster-import-progress:{self.pk}"

    @property
    def is_preview(self) -> bool:
        """A dry run whose bundle is kept so the director can apply exactly what it showed."""
        return self.dry_run and self.status == RosterImportStatus.SUCCEEDED and bool(self.stored_path)


class SignInOutcome(models.TextChoices):
    LINKED = "linked", "First sign-in: the account was linked"
    REFUSED = "refused", "Refused"


class SignInRefusal(models.TextChoices):
    NO_EMAIL = "no_email", "The account gave no e-mail address"
    UNVERIFIED = "unverified", "The e-mail address is not verified by the provider"
    UNKNOWN = "unknown", "Nobody in the district's records has this address"
    LEFT = "left", "The person has left the district"
    DOMAIN = "domain", "The district has not listed this e-mail domain"
    TENANT = "tenant", "The district has not listed this Microsoft tenant"
    HOSTED_DOMAIN = "hosted_domain", "The Google account is not one of the district's Workspace domains"
    RELINKED = "relinked", "The account is linked to someone else"


class SignInEvent(models.Model):
    """A first sign-in with Google, Microsoft or the district's provider (the account is linked), or a
    refused one, with why: part of the district's audit log. Routine sign-ins are not recorded here."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    email = models.CharField("e-mail given", max_length=254, blank=True)
    provider = models.CharField(max_length=60)
    outcome = models.CharField(max_length=10, choices=SignInOutcome.choices)
    refusal = models.CharField(max_length=20, choices=SignInRefusal.choices, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["district", "-at"], name="sign_in_event_district_at")]
        constraints = [
            models.CheckConstraint(
                name="sign_in_event_refusal_says_why",
                condition=Q(outcome="linked", refusal="") | (Q(outcome="refused") & ~Q(refusal="")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.email} with {self.provider}"


class PreviewAction(models.TextChoices):
    ADDED = "added", "Added"
    MATCHED = "matched", "Matched to an existing record"
    CHANGED = "changed", "Changed"
    DEACTIVATED = "deactivated", "Deactivated"


class RosterPreviewRow(models.Model):
    """One person or school a dry run would add, match, change or deactivate, by name."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="preview_rows")
    entity = models.CharField(max_length=20)
    action = models.CharField(max_length=20, choices=PreviewAction.choices)
    name = models.CharField(max_length=310)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["roster_import", "entity", "action", "name"], name="roster_preview_order")]

    def __str__(self) -> str:
        return f"{self.name} ({self.entity}, {self.action})"


class SyncSource(models.TextChoices):
    DROP_FOLDER = "drop_folder", "A drop folder your SIS sends files to (SFTP)"
    API = "api", "A OneRoster REST API (Clever, ClassLink, your SIS)"


class RosterSync(models.Model):
    """Where a district's roster comes from on its own, how often, and how the last runs went. Each
    run is an ordinary roster import (RosterImport, source drop folder or API) with its report."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="roster_sync")
    enabled = models.BooleanField("sync on a schedule", default=False)
    source = models.CharField(max_length=20, choices=SyncSource.choices, default=SyncSource.DROP_FOLDER)
    interval_hours = models.PositiveSmallIntegerField(
        "run every",
        default=24,
        choices=[(1, "hour"), (4, "4 hours"), (12, "12 hours"), (24, "day")],
        help_text="A run that fails changes nothing and is tried again at the next run.",
    )
    drop_folder = models.CharField(
        max_length=80,
        blank=True,
        help_text="The folder under the server's roster drop root your SIS uploads its OneRoster zip to.",
    )
    api_base_url = models.URLField(
        "API address",
        max_length=500,
        blank=True,
        help_text="Ends before /orgs, e.g. https://sis.example.org/ims/oneroster/v1p1",
    )
    api_token_url = models.URLField("token address", max_length=500, blank=True)
    api_client_id = models.CharField("client id", max_length=200, blank=True)
    # Fernet-encrypted (accounts.credentials); never shown back on any page.
    api_client_secret = models.TextField(blank=True, editable=False)
    api_version = models.CharField(
        "OneRoster version", max_length=3, choices=[("1.1", "1.1"), ("1.2", "1.2")], default="1.1"
    )
    # State, written by the runs (never through a form).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_import = models.ForeignKey(
        RosterImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    last_problem = models.CharField(max_length=500, blank=True, editable=False)
    # The first failed run of the current streak of failures: the director is told once per streak.
    failing_since = models.ForeignKey(
        RosterImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    history = HistoricalRecords(
        excluded_fields=[
            "api_client_secret",
            "claimed_until",
            "last_attempt_at",
            "last_success_at",
            "last_import",
            "last_problem",
            "failing_since",
        ]
    )

    def __str__(self) -> str:
        return f"Roster sync of {self.district}"

    def get_absolute_url(self) -> str:
        return reverse("roster_sync_settings", args=[self.district.slug])

    @property
    def has_secret(self) -> bool:
        return bool(self.api_client_secret)
