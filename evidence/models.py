"""An evidence pack: one download (a PDF summary and CSVs in a ZIP) proving that a district follows its
policy over a period, built in the background and kept for a set time (settings.EVIDENCE_PACK_KEEP_DAYS)."""

from __future__ import annotations

import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import District, User


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be built"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Deleted after its keeping time"


class EvidencePack(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", db_index=False)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    first_day = models.DateField("from")
    last_day = models.DateField("until (included)")
    school_year_label = models.CharField(
        max_length=20, blank=True, help_text="The school year asked for, when a whole year was."
    )
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    section = models.CharField(max_length=200, blank=True, help_text="The section being built.")
    # Under MEDIA_ROOT, which is never served: the file leaves only through the download view.
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["district", "-created_at"], name="evidence_pack_district"),
            models.Index(fields=["status", "expires_at"], name="evidence_pack_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                name="evidence_pack_days_in_order", condition=models.Q(last_day__gte=models.F("first_day"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("evidence:detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.school_year_label:
            return f"school year {self.school_year_label}"
        return f"{self.first_day:%Y-%m-%d} to {self.last_day:%Y-%m-%d}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (PackStatus.QUEUED, PackStatus.BUILDING)

    def is_downloadable(self, now: datetime.datetime | None = None) -> bool:
        """Built, and still within its keeping time (the cleanup may not have run yet)."""
        now = now or timezone.now()
        return (
            self.status == PackStatus.READY
            and bool(self.stored_path)
            and self.expires_at is not None
            and self.expires_at > now
        )

    @property
    def file_name(self) -> str:
        return f"evidence-{self.district.slug}-{self.first_day:%Y-%m-%d}-to-{self.last_day:%Y-%m-%d}.zip"
