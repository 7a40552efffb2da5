"""Annual staff disclosures of the student-group and public networks employees take part in.

A district opens one cycle per school year. Each filing is a `Disclosure` version: drafts are
edited in place, and any change to a filed disclosure (an amendment, or a revision after it
was returned) is a new version that supersedes the old one when it is submitted, so what an
employee signed is never rewritten.
"""

from __future__ import annotations

import datetime
import hashlib
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import District, Program, Role, School, SchoolYear, User


def attestation_digest(text: str) -> str:
    """The SHA-256 of the attestation exactly as shown (line endings normalised, as browsers send them)."""
    normalised = unicodedata.normalize("NFC", text.replace("\r\n", "\n").strip())
    return hashlib.sha256(normalised.encode()).hexdigest()


def signature_matches(typed: str, full_name: str) -> bool:
    """A typed signature matches the name on file, ignoring case and spacing."""

    def fold(value: str) -> str:
        return " ".join(unicodedata.normalize("NFC", value).casefold().split())

    return bool(fold(full_name)) and fold(typed) == fold(full_name)


DEFAULT_ATTESTATION = (
    "I have listed every social-media network created by a student group or by the public in which "
    "I take part, or I have stated that I take part in none. I understand that district policy requires "
    "this disclosure each school year, and that I must amend it if my participation changes."
)


class DisclosureCycle(models.Model):
    """One school year's disclosure window for a district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="disclosure_cycles")
    school_year_start = models.PositiveSmallIntegerField(
        "school year", help_text="The calendar year the school year starts in."
    )
    opens_on = models.DateField("opens on")
    due_on = models.DateField("due on")
    attestation_text = models.TextField("attestation", default=DEFAULT_ATTESTATION)
    attestation_hash = models.CharField(max_length=64, editable=False)
    required_roles = models.JSONField(
        "who must file",
        default=list,
        blank=True,
        help_text="Empty: every active staff member. Otherwise only people who hold one of these roles.",
    )
    new_hire_grace_days = models.PositiveSmallIntegerField(
        "grace period for new staff (days)",
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="Staff who start after the cycle opens are due this many days after their start date "
        "(never before the cycle's own due date).",
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["district", "-school_year_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_year_start"],
                name="disclosure_cycle_one_per_year",
                violation_error_message="This district already has a disclosure cycle for that school year.",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")),
                name="disclosure_cycle_due_after_open",
                violation_error_message="The due date cannot be before the cycle opens.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_year.label} disclosures"

    def get_absolute_url(self) -> str:
        return reverse("disclosures:cycle_detail", args=[self.pk])

    @property
    def school_year(self) -> SchoolYear:
        return SchoolYear(self.school_year_start, self.district.school_year_start_month)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if (
            self.district_id
            and self.opens_on
            and self.school_year_start
            and not self.school_year.contains(self.opens_on)
        ):
            errors["opens_on"] = f"The cycle must open within the {self.school_year.label} school year."
        if self.opens_on and self.due_on and self.due_on < self.opens_on:
            errors["due_on"] = "The due date cannot be before the cycle opens."
        for role in self.required_roles or []:
            if role not in Role.values:
                errors["required_roles"] = f"Unknown role “{role}”."
        if errors:
            raise ValidationError(errors)

    def is_open(self, on: datetime.date) -> bool:
        return self.opens_on <= on

    def applies_to_roles(self) -> list[str]:
        return list(self.required_roles or [])

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.applies_to_roles() if role in Role.values]

    # The due-date rule. Python (one person) and SQL (whole lists) read these two methods.
    def due_on_for(self, started_on: datetime.date | None) -> datetime.date:
        """A new hire (started after the cycle opened) is due a grace period after starting."""
        if started_on is None or started_on <= self.opens_on:
            return self.due_on
        return max(self.due_on, started_on + datetime.timedelta(days=self.new_hire_grace_days))

    def _new_hire_after(self) -> datetime.date:
        """Staff who started after this date are due later than the cycle (the grace period outlasts it)."""
        return max(self.opens_on, self.due_on - datetime.timedelta(days=self.new_hire_grace_days))

    def due_between_q(self, first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
        """Staff whose due date falls between `first` and `last` inclusive (a filter on users)."""
        started = f"{prefix}started_on"
        grace = datetime.timedelta(days=self.new_hire_grace_days)
        new_hire = Q(**{f"{started}__gt": self._new_hire_after()})
        regular = Q(**{f"{started}__isnull": True}) | ~new_hire
        standard = regular if first <= self.due_on <= last else Q(**{f"{prefix}pk__in": []})
        late_start = new_hire & Q(**{f"{started}__gte": first - grace}) & Q(**{f"{started}__lte": last - grace})
        return standard | late_start

    def overdue_q(self, on: datetime.date, prefix: str = "") -> Q:
        """Staff whose due date is before `on`."""
        started = f"{prefix}started_on"
        grace = datetime.timedelta(days=self.new_hire_grace_days)
        new_hire = Q(**{f"{started}__gt": self._new_hire_after()})
        regular = Q(**{f"{started}__isnull": True}) | ~new_hire
        standard = regular if self.due_on < on else Q(**{f"{prefix}pk__in": []})
        return standard | (new_hire & Q(**{f"{started}__lt": on - grace}))


class DisclosureState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for revision"
    RESUBMITTED = "resubmitted", "Resubmitted"
    ACCEPTED = "accepted", "Accepted"


# States of a filed version (signed and sent): it stands as the employee's filing for the year.
FILED_STATES = (
    DisclosureState.SUBMITTED,
    DisclosureState.RETURNED,
    DisclosureState.RESUBMITTED,
    DisclosureState.ACCEPTED,
)
AWAITING_REVIEW_STATES = (DisclosureState.SUBMITTED, DisclosureState.RESUBMITTED)


class Disclosure(models.Model):
    """One version of an employee's disclosure for a cycle."""

    cycle = models.ForeignKey(DisclosureCycle, on_delete=models.PROTECT, related_name="disclosures")
    employee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="disclosures")
    version = models.PositiveSmallIntegerField(default=1)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version this replaces.",
    )
    state = models.CharField(max_length=20, choices=DisclosureState.choices, default=DisclosureState.DRAFT)
    takes_part_in_none = models.BooleanField(
        "I take part in no such networks", default=False, help_text="Leave unticked and list each network instead."
    )
    signed_name = models.CharField("signature", max_length=300, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    attestation_hash = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    filed_late = models.BooleanField(default=False, help_text="First filed after the employee's due date.")
    superseded_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle_id", "employee_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "cycle", "version"], name="disclosure_unique_version"),
            models.UniqueConstraint(
                fields=["employee", "cycle"],
                condition=Q(state=DisclosureState.DRAFT),
                name="disclosure_one_draft",
                violation_error_message="There is already a draft of this disclosure.",
            ),
            models.UniqueConstraint(
                fields=["employee", "cycle"],
                condition=Q(superseded_at__isnull=True) & ~Q(state=DisclosureState.DRAFT),
                name="disclosure_one_standing_filing",
            ),
            models.CheckConstraint(
                condition=~Q(state=DisclosureState.NOT_STARTED), name="disclosure_not_started_is_not_stored"
            ),
            models.CheckConstraint(
                condition=Q(state=DisclosureState.DRAFT) | (Q(submitted_at__isnull=False) & ~Q(signed_name="")),
                name="disclosure_filed_is_signed",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "state"], condition=Q(superseded_at__isnull=True), name="disclosure_standing")
        ]

    def __str__(self) -> str:
        return f"{self.employee} · {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("disclosures:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == DisclosureState.DRAFT

    @property
    def is_filed(self) -> bool:
        return self.state in FILED_STATES

    @property
    def is_standing(self) -> bool:
        return self.is_filed and self.superseded_at is None

    @property
    def awaits_review(self) -> bool:
        return self.is_standing and self.state in AWAITING_REVIEW_STATES

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None

    def signed_current_text(self) -> bool:
        return self.attestation_hash == self.cycle.attestation_hash

    def due_on(self) -> datetime.date:
        return self.cycle.due_on_for(self.employee.started_on)


class NetworkPlatform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    SNAPCHAT = "snapchat", "Snapchat"
    DISCORD = "discord", "Discord"
    GROUPME = "groupme", "GroupMe"
    WHATSAPP = "whatsapp", "WhatsApp"
    REMIND = "remind", "Remind"
    OTHER = "other", "Other"


class NetworkRunBy(models.TextChoices):
    STUDENT_GROUP = "student_group", "A student group"
    PARENTS = "parents", "Parents"
    PUBLIC = "public", "The public"
    OTHER = "other", "Someone else"


class NetworkPart(models.TextChoices):
    MEMBER = "member", "Member"
    FOLLOWER = "follower", "Follower"
    MODERATOR = "moderator", "Moderator"
    ADMINISTRATOR = "administrator", "Administrator"
    CREATOR = "creator", "Creator"


class StudentMembership(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "I don't know"


class DisclosedNetwork(models.Model):
    """A network listed on a disclosure version."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="networks")
    platform = models.CharField(max_length=20, choices=NetworkPlatform.choices)
    name = models.CharField("name of the group or page", max_length=200)
    url = models.URLField("address", max_length=500, blank=True)
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school it relates to.",
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The club, team or class it relates to.",
    )
    run_by = models.CharField("who runs it", max_length=20, choices=NetworkRunBy.choices)
    part = models.CharField("my part in it", max_length=20, choices=NetworkPart.choices)
    students_are_members = models.CharField(
        "students are members", max_length=10, choices=StudentMembership.choices, default=StudentMembership.UNKNOWN
    )
    # Last year's networks are offered again, never filed again until the employee confirms each.
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    confirmed = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def relates_to(self) -> str:
        if self.program_id:
            return str(self.program)
        if self.school_id:
            return str(self.school)
        return ""


class ReviewVisibility(models.TextChoices):
    EMPLOYEE = "employee", "Visible to the employee"
    INTERNAL = "internal", "Reviewers only"


class DisclosureComment(models.Model):
    """A reviewer's note on a version: the reason it was returned, or an internal remark."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=4000)
    visibility = models.CharField(max_length=10, choices=ReviewVisibility.choices, default=ReviewVisibility.EMPLOYEE)
    action = models.CharField(max_length=20, choices=DisclosureState.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.disclosure}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == ReviewVisibility.INTERNAL
