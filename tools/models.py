"""The approved-tool list and the decisions a district's policy reserves to the Superintendent, a
designee or the School Board: approving tools, designating designees, requests for a tool, and
written permission to use the district logo."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from simple_history.models import HistoricalRecords

from accounts.models import District, School, SchoolYear, User
from core.dates import add_months
from core.validators import refuse_secrets

# --- Decisions the policy reserves to the Superintendent, a designee or the School Board ------


class ApprovalPower(models.TextChoices):
    """The decisions the seed policies reserve; the district's profile says who takes each."""

    TOOLS = "tools", "Approve tools for instruction"
    INSTRUCTIONAL_USE = "instructional_use", "Authorize a tool's use with students"
    LOGO_USE = "logo_use", "Grant permission to use the district logo"
    SPOKESPERSON = "spokesperson", "Authorize staff to speak for the district"


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


# A grade band whose last grade does not come before its first (either end may be open): the
# database constraint of tools and tool requests; grade_band_refusal says it in words for clean().
GRADE_BAND_IN_ORDER = (
    Q(lowest_grade__isnull=True) | Q(highest_grade__isnull=True) | Q(lowest_grade__lte=models.F("highest_grade"))
)
GRADE_BAND_REFUSED = {"highest_grade": "The last grade cannot come before the first."}


def grade_band_refusal(lowest: int | None, highest: int | None) -> dict[str, str]:
    """What a band out of order is told (empty when it is in order)."""
    return GRADE_BAND_REFUSED if lowest is not None and highest is not None and lowest > highest else {}


def grade_band_label(lowest: int | None, highest: int | None) -> str:
    """The band in words, in the reader's language (families read it on the public tool list)."""
    pre_k, kindergarten = pgettext("grade", "Pre-K"), pgettext("grade", "K")
    short = {-1: pre_k, 0: kindergarten}
    if lowest is None and highest is None:
        return gettext("Any grade")
    low = short.get(lowest, str(lowest)) if lowest is not None else pre_k
    high = short.get(highest, str(highest)) if highest is not None else "12"
    if low == high:
        return gettext("Grade %(grade)s") % {"grade": low}
    return gettext("Grades %(lowest)s–%(highest)s") % {"lowest": low, "highest": high}


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
    privacy_agreement_url = models.URLField(
        "privacy agreement address",
        max_length=500,
        blank=True,
        db_default="",
        help_text="Where families can read the agreement (or the contract), e.g. the Student Data Privacy "
        "Consortium's registry. Shown on the families' technology notice.",
    )
    student_data_held = models.TextField(
        "student data it holds",
        max_length=1000,
        blank=True,
        db_default="",
        validators=[refuse_secrets],
        help_text="What the provider keeps about students, e.g. “names, class, assignments and grades”. Empty: it "
        "holds no student data. Approved tools that hold student data are on the families' technology notice.",
    )
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
            models.CheckConstraint(name="tool_grade_band_in_order", condition=GRADE_BAND_IN_ORDER),
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
        errors = dict(grade_band_refusal(self.lowest_grade, self.highest_grade))
        if self.status == ToolStatus.APPROVED_WITH_CONDITIONS and not self.conditions.strip():
            errors["conditions"] = "Write down the conditions staff must follow."
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
    def has_student_limits(self) -> bool:
        return self.lowest_grade is not None or self.highest_grade is not None or self.minimum_age is not None

    @property
    def student_limits(self) -> str:
        """“Grades 9–12, at least 13 years old”: what tools.selectors.outside_tool_limits holds students to."""
        parts = [self.grade_band] if self.lowest_grade is not None or self.highest_grade is not None else []
        if self.minimum_age is not None:
            parts.append(f"at least {self.minimum_age} years old")
        return ", ".join(parts) or "Any grade"

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


class TechnologyNotice(models.Model):
    """The yearly notice to families of the technology providers that hold student data (Minnesota,
    Ohio, Colorado and other states' student data laws), as the director published it for a school
    year: the list as it stood then (`entries`), kept as published. Publishing again replaces it."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="technology_notices")
    school_year = models.PositiveSmallIntegerField(help_text="The calendar year the school year starts in.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # One dict per provider: tool_id, name, vendor, website, description, student_data_held,
    # privacy_agreement_on_file, privacy_agreement_expires_on, privacy_agreement_url, decided_as,
    # decided_by, decided_on (dates as ISO strings).
    entries = models.JSONField(default=list, blank=True)
    # The last time the director e-mailed it to the families (each guardian once a school year).
    sent_to_families_at = models.DateTimeField(null=True, blank=True)
    sent_to_families_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    history = HistoricalRecords(excluded_fields=["entries"])

    class Meta:
        ordering = ["-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "school_year"], name="technology_notice_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"Technology notice of {self.district} for {self.school_year}"

    @property
    def year(self) -> SchoolYear:
        return SchoolYear(self.school_year, self.district.school_year_start_month)

    def public_path(self) -> str:
        return reverse("tools:public_technology_notice", args=[self.district.slug]) + f"?year={self.school_year}"


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
            models.CheckConstraint(name="tool_request_grade_band_in_order", condition=GRADE_BAND_IN_ORDER),
        ]
        indexes = [models.Index(fields=["district", "status"], name="tool_request_district_status")]

    def __str__(self) -> str:
        return f"{self.tool_name} (requested by {self.requested_by})"

    def get_absolute_url(self) -> str:
        return reverse("tools:request_detail", args=[self.pk])

    def clean(self) -> None:
        if refusal := grade_band_refusal(self.lowest_grade, self.highest_grade):
            raise ValidationError(refusal)

    @property
    def is_waiting(self) -> bool:
        return self.status == ToolRequestStatus.WAITING

    @property
    def grade_band(self) -> str:
        return grade_band_label(self.lowest_grade, self.highest_grade)


# --- Written permission to use the district logo ------------------------------------------


class WrittenAs(models.TextChoices):
    """How a logo permission was given in writing."""

    LETTER = "letter", "Signed letter or form"
    EMAIL = "email", "E-mail"
    BOARD_MINUTES = "board_minutes", "School Board minutes"
    IN_APP = "in_app", "Recorded here by the person granting it"


class LogoPermission(models.Model):
    """Written permission to use the district logo on one thing (a tool here, an official account in
    registry.AccountLogoPermission), given by whom the policy names. Withdrawing it keeps the record;
    a new grant is a new row. Each concrete model adds `subject`, a foreign key to what it is for."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    decided_as = models.CharField("granted by", max_length=20, choices=DecidedAs.choices)
    granted_by_name = models.CharField(
        "name of the person or body granting it", max_length=200, validators=[refuse_secrets]
    )
    granted_on = models.DateField()
    written_as = models.CharField("given in writing as", max_length=20, choices=WrittenAs.choices)
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

    class Meta:
        abstract = True
        ordering = ["-granted_on", "-pk"]
        # One permission in force per thing: a new grant withdraws the earlier one first.
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(withdrawn_on__isnull=True),
                name="%(class)s_one_current",
            ),
        ]

    subject: models.ForeignKey[Any, Any]

    def __str__(self) -> str:
        return f"Logo permission for {self.subject} ({self.granted_on.isoformat()})"

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


class ToolLogoPermission(LogoPermission):
    subject = models.ForeignKey(Tool, verbose_name="tool", on_delete=models.PROTECT, related_name="logo_permissions")

    history = HistoricalRecords()

    class Meta(LogoPermission.Meta):
        pass


class Spokesperson(models.Model):
    """A staff member authorized to speak for the district (all five seed policies reserve it: “except
    as authorized by the Superintendent or designee”, 460: “or School Board”): who, for what, granted
    by whom in what capacity, until when. Withdrawing keeps the record; the register is its history."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="spokespeople")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="spokesperson_authorizations")
    subject = models.CharField(
        "may speak for the district on",
        max_length=300,
        validators=[refuse_secrets],
        help_text="E.g. “athletics, to the news media and on the district's pages”.",
    )
    decided_as = models.CharField("authorized by", max_length=20, choices=DecidedAs.choices)
    granted_by_name = models.CharField(
        "name of the person or body authorizing", max_length=200, validators=[refuse_secrets]
    )
    granted_on = models.DateField("authorized on")
    until = models.DateField("until", null=True, blank=True, help_text="Empty: until withdrawn.")
    reference = models.CharField(
        "where the decision is written",
        max_length=300,
        blank=True,
        validators=[refuse_secrets],
        help_text="E.g. the letter of authorization, or the Board minutes (required for a Board decision).",
    )
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
                condition=Q(until__isnull=True) | Q(until__gte=models.F("granted_on")),
                name="spokesperson_until_after_granted",
                violation_error_message="The end date cannot be before the authorization.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} may speak for the district on {self.subject}"

    def is_current(self, on: datetime.date) -> bool:
        return self.withdrawn_on is None and self.granted_on <= on and (self.until is None or self.until >= on)
