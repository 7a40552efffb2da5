"""Parental photo consent: the scopes a district asks about and the families' answers.

Answers are append-only: a family that changes its mind gets a new record, and the latest
record (by the date the school received it) is the current answer. Whether a picture may be
posted is decided in one place, consent.rules.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import (
    District,
    PhotoModel,
    SchoolYear,
    SocialMediaPhotoLists,
    Student,
    User,
    school_year_for,
)
from consent.standard import policy_rule
from core.dates import add_months

MAX_BACKDATING_YEARS = 20


class ScopeKind(models.TextChoices):
    SOCIAL_MEDIA = "social_media", "District and school social media"
    WEBSITE = "website", "District website and newsletters"
    YEARBOOK = "yearbook", "Yearbook"
    NEWS_MEDIA = "news_media", "News media"
    DIRECTORY_INFORMATION = "directory_info", "Directory information (opt-out list)"
    OTHER = "other", "Other (added by the district)"
    PARTICIPATION = "participation", "Taking part in a tool with a class or program"


# Kinds a district may hold several of; the standard kinds are one each.
REPEATABLE_KINDS = (ScopeKind.OTHER, ScopeKind.PARTICIPATION)


class ConsentScope(models.Model):
    """Something a family answers separately: refusing social media never costs the yearbook."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="consent_scopes")
    kind = models.CharField(max_length=20, choices=ScopeKind.choices, default=ScopeKind.OTHER)
    name = models.CharField(max_length=120)
    description = models.CharField(
        max_length=300, blank=True, help_text="What families are asked, in the words of your form."
    )
    model = models.CharField(
        "permission model",
        max_length=20,
        choices=PhotoModel.choices,
        help_text="Written consent: no answer on file means do not post. Opt-out: post unless the family opted out.",
    )
    public_arena_exception = models.BooleanField(
        "public-arena exception",
        default=False,
        help_text="Students at public events (sports, fine-arts performances) may appear without consent.",
    )
    renewed_each_school_year = models.BooleanField(
        "renewed each school year",
        default=False,
        help_text="Last year's answer stops counting on the first day of the new school year.",
    )
    follows_policy = models.BooleanField(
        "follows the policy profile",
        default=True,
        db_default=True,
        help_text="On: the permission model, the public-arena exception and yearly renewal are the policy profile's, "
        "and change when it changes. Off only where the district deliberately decided otherwise: say why below.",
    )
    differs_because = models.CharField(
        "why this scope differs from the policy profile",
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="The decision that gives this scope another rule, e.g. a Board resolution. Shown with the rule.",
    )
    # What families read in Spanish, written by the district (the English is `description`). Another
    # language is a field like this one and an entry in settings.LANGUAGES.
    description_es = models.CharField(
        "what families are asked, in Spanish",
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="Shown to families who read Spanish. Empty: they read the standard Spanish explanation only.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages and forms.")
    active = models.BooleanField(default=True, help_text="Retired scopes keep their records but leave the pages.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="consent_scope_unique_name"),
            models.UniqueConstraint(
                fields=["district", "kind"],
                condition=~Q(kind__in=REPEATABLE_KINDS),
                name="consent_scope_one_per_standard_kind",
            ),
            # Taking part needs a parent's yes, for the authorization's whole period: the readiness
            # count in authorizations.selectors relies on exactly this rule. (Which authorization a
            # participation scope belongs to is authorizations.Authorization.participation_scope.)
            models.CheckConstraint(
                name="consent_scope_participation_is_written_consent",
                condition=~Q(kind="participation")
                | Q(model="written_consent", public_arena_exception=False, renewed_each_school_year=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_written_consent(self) -> bool:
        return self.model == PhotoModel.WRITTEN_CONSENT

    def description_in(self, language: str) -> str:
        """The district's own words for families in `language`, else in English."""
        translated = getattr(self, f"description_{language.split('-')[0]}", "") if language != "en" else ""
        return str(translated or self.description)

    @property
    def is_participation(self) -> bool:
        return self.kind == ScopeKind.PARTICIPATION

    def policy_values(self) -> dict[str, Any] | None:
        """The rule the district's policy profile gives this scope (None: a participation scope)."""
        district = self.district
        return policy_rule(
            self.kind, district.photo_model, district.public_arena_exception, district.consent_renewed_each_school_year
        )

    def differences_from_policy(self) -> list[str]:
        """The parts of the rule that are not the policy profile's, by their names on the page."""
        values = self.policy_values()
        if values is None:
            return []
        labels = {field.name: str(field.verbose_name) for field in self._meta.fields}
        return [labels[name] for name, value in values.items() if getattr(self, name) != value]

    def clean(self) -> None:
        """A scope that follows the profile has the profile's rule; one that differs says why."""
        super().clean()
        if self.is_participation:
            return
        differences = self.differences_from_policy()
        if self.follows_policy and differences:
            raise ValidationError(
                f"This scope follows the policy profile, which sets its {', '.join(differences)} otherwise. "
                "Change the policy profile, or untick “follows the policy profile” and say why it differs."
            )
        if not self.follows_policy and not self.differs_because.strip():
            raise ValidationError({"differs_because": "Say why this scope differs from the policy profile."})

    def rule_summary(self) -> str:
        """The scope's rule in one sentence, for pages and exports."""
        if self.is_written_consent:
            text = "Post only with a parent's written consent on file"
        else:
            text = "Post unless the family opted out"
        if self.public_arena_exception:
            text += "; public events such as games and performances are excepted"
        if self.renewed_each_school_year:
            text += "; answers are collected again each school year"
        lists = self.district.social_media_photo_lists
        if self.kind == ScopeKind.SOCIAL_MEDIA and lists == SocialMediaPhotoLists.BOTH:
            text += "; a student on the directory-information opt-out list is not posted either"
        elif self.kind == ScopeKind.SOCIAL_MEDIA and lists == SocialMediaPhotoLists.DIRECTORY_INFORMATION:
            text = "Posting on social media follows the directory-information opt-out list"
        return text + "."


class Decision(models.TextChoices):
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused (opted out)"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReceivedBy(models.TextChoices):
    PAPER = "paper", "Paper form"
    EMAIL = "email", "E-mail"
    ONLINE = "online", "Online form"
    SIS_IMPORT = "sis_import", "Student information system import"


class ConsentRecord(models.Model):
    """One answer from a family, as received. Never changed: a later record supersedes it."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="consent_records", db_index=False)
    scope = models.ForeignKey(ConsentScope, on_delete=models.PROTECT, related_name="records")
    school_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the school year starts in (2026 for 2026–27)."
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    received_on = models.DateField()
    received_by = models.CharField("received as", max_length=20, choices=ReceivedBy.choices)
    guardian_name = models.CharField("parent or guardian", max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    source_import = models.ForeignKey(
        "ConsentImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    # An answer the family gave online: their signature (name, text shown, time, address).
    family_signature = models.ForeignKey(
        "FamilySignature", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The current answer: latest received, then latest recorded, per student and scope.
            models.Index(
                "student",
                "scope",
                models.F("received_on").desc(),
                models.F("id").desc(),
                name="consent_record_latest",
            ),
            # The district's audit log reads the answers recorded in a period, newest first.
            models.Index(fields=["recorded_at"], name="consent_record_recorded_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.scope} for {self.student} ({self.received_on})"

    @staticmethod
    def check_received_on(received_on: datetime.date, today: datetime.date) -> None:
        """A form cannot arrive in the future; a date decades back is a typing mistake."""
        if received_on > today:
            raise ValidationError({"received_on": "The date cannot be in the future."})
        if received_on.year < today.year - MAX_BACKDATING_YEARS:
            raise ValidationError({"received_on": "The date is too far in the past; check the year."})

    @staticmethod
    def check_school_year(school_year: int, received_on: datetime.date, start_month: int) -> None:
        """An answer counts for the school year it was received in or, sent ahead (a form returned in
        June for the coming year), for the next one: never for a year already over or further off."""
        received_in = school_year_for(received_on, start_month)
        if school_year not in (received_in.start_year, received_in.start_year + 1):
            raise ValidationError(
                {
                    "school_year": f"An answer received on {received_on:%Y-%m-%d} counts for {received_in.label} "
                    f"or {received_in.next().label}."
                }
            )


# A form received this many months before the school year starts is, by default, for the coming year.
SENT_AHEAD_MONTHS = 2


def form_school_year(received_on: datetime.date, start_month: int) -> SchoolYear:
    """The school year a paper form is most likely for: the one it was received in, except that a
    form received in the last two months before the next school year starts (June, for a year
    starting in July) is for the coming year. Only a default: the clerk chooses."""
    received_in = school_year_for(received_on, start_month)
    coming = received_in.next()
    if received_on >= add_months(coming.starts_on, -SENT_AHEAD_MONTHS):
        return coming
    return received_in


class ConsentImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting to be applied"
    REFUSED = "refused", "Refused: nothing was recorded"
    APPLIED = "applied", "Applied"
    SUPERSEDED = "superseded", "Not applied (records changed since the check)"


class ConsentImport(models.Model):
    """One CSV upload. Checked first (the plan is kept), applied only when someone confirms."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="consent_imports")
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ConsentImportStatus.choices)
    # The validated rows to record (ids, no free text from other rows) and the problems found.
    plan = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("consent:import_detail", args=[self.pk])


class ConsentImportMapping(models.Model):
    """Which column of the district's own export holds what, saved when a file is checked with it
    and offered again on the next upload. `columns`: {"sis_id": "Student Number", "first_name": ...,
    "scopes": {"<scope id>": "Photo release"}}; a field the export does not have is left out."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="consent_import_mapping")
    columns = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Consent file columns of {self.district}"


class ListKind(models.TextChoices):
    SCHOOL = "school", "Do-not-post list of a school"
    PROGRAM = "program", "Do-not-post list of a program"
    ACCOUNT = "account", "Do-not-post list of an official account"
    SCHOOL_PRINT = "school_print", "Printed do-not-post lists of a school"
    NO_ANSWER = "no_answer", "Students with no answer yet"
    STUDENT = "student", "A student's consent page"
    CHECK = "check", "“May I post this student?” check"
    EXPORT = "export", "CSV export"
    IMPORT_PREVIEW = "import_preview", "Preview of a consent file"
    AUDIT_LOG = "audit_log", "The district's audit log"
    AUDIT_EXPORT = "audit_export", "The district's audit log, downloaded"
    FAMILY_LINK = "family_link", "A family's consent link, opened by the family"
    FAMILY_LINKS = "family_links", "Families' consent links, sent, printed or downloaded"
    EVIDENCE_PACK = "evidence_pack", "An evidence pack, generated"
    EVIDENCE_DOWNLOAD = "evidence_download", "An evidence pack, downloaded"


class ListViewLog(models.Model):
    """Who looked at whose consent status, and when: the privacy log."""

    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=20, choices=ListKind.choices)
    subject = models.CharField(max_length=300, help_text="Which list: the school, program, account or search.")
    # Set for a single student's page, so a purge removes the trace of a student who left.
    student = models.ForeignKey(Student, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["district", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.subject} at {self.viewed_at:%Y-%m-%d %H:%M}"


class StudentPurge(models.Model):
    """What a purge removed (counts only: the point of a purge is to keep no names)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(default=timezone.now)
    left_before = models.DateField()
    students_removed = models.PositiveIntegerField()
    consent_records_removed = models.PositiveIntegerField()
    program_memberships_removed = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.students_removed} students removed on {self.ran_at:%Y-%m-%d}"


class FamilyLink(models.Model):
    """A link one guardian uses to answer for one student, without an account.

    The address carries a signed (id, nonce) pair (consent.family_links): the signature proves the
    product made it, the nonce on the row lets the district revoke it (a new nonce), and the row says
    until when it works. It answers for its student only."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", db_index=False)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="family_links")
    guardian = models.ForeignKey("accounts.Guardian", on_delete=models.CASCADE, related_name="family_links")
    school_year = models.PositiveSmallIntegerField(help_text="The school year the family answers for.")
    # Set: the link asks only this (taking part in a tool with a class, for an authorization); empty:
    # the district's picture scopes.
    participation_scope = models.ForeignKey(
        ConsentScope, on_delete=models.CASCADE, null=True, blank=True, related_name="family_links"
    )
    nonce = models.CharField(max_length=43, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One working link per guardian, student and school year: sending again re-sends it.
            models.UniqueConstraint(
                fields=["student", "guardian", "school_year"],
                condition=Q(revoked_at__isnull=True, participation_scope__isnull=True),
                name="family_link_one_per_year",
            ),
            models.UniqueConstraint(
                fields=["student", "guardian", "participation_scope"],
                condition=Q(revoked_at__isnull=True, participation_scope__isnull=False),
                name="family_link_one_per_participation",
            ),
        ]
        indexes = [models.Index(fields=["district", "school_year"], name="family_link_district_year")]

    def __str__(self) -> str:
        return f"Consent link for {self.student_id} ({self.school_year})"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class FamilySignature(models.Model):
    """What a guardian signed online: the exact text they were shown (and its SHA-256 and version),
    the name they typed, how they are related to the student, when, and from which address."""

    link = models.ForeignKey(FamilyLink, on_delete=models.CASCADE, related_name="signatures")
    typed_name = models.CharField("name typed as signature", max_length=200)
    relationship = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    text_shown = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    text_version = models.CharField(max_length=40)
    signed_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.typed_name} ({self.signed_at:%Y-%m-%d %H:%M})"
