"""Authorizations to use a tool with a class or program: the Superintendent's (or designee's)
decision, for a staff member, between two dates, gated on the families' participation consent."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import District, Program, User
from consent.models import ConsentScope
from core.validators import refuse_secrets
from tools.models import ReservedDecision, Tool


class AuthorizationStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for authorization"
    AUTHORIZED = "authorized", "Authorized"
    DECLINED = "declined", "Not authorized"
    REVOKED = "revoked", "Revoked"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # The tool left the approved list (not approved, under review again, retired): the authorization
    # stops with it, and who took the tool off the list, when and why are kept as how it ended.
    SUSPENDED = "suspended", "Suspended"


class Authorization(ReservedDecision):
    """The Superintendent's (or designee's) authorization for a staff member to use a tool with
    a class or program between two dates. When the tool needs parental consent, authorizing it opens
    a participation consent scope for the class, and the authorization is ready only when every
    enrolled student's family said yes (authorizations.selectors)."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="authorizations")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="authorizations")
    program = models.ForeignKey(
        Program,
        verbose_name="class or program",
        on_delete=models.PROTECT,
        related_name="authorizations",
    )
    staff_member = models.ForeignKey(
        User, verbose_name="staff member using it", on_delete=models.PROTECT, related_name="authorizations"
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
    # Where the district's policy allows it, why students outside the tool's grades or minimum age
    # take part (empty: none may; the authorization is not ready while one is enrolled).
    limits_exception = models.TextField(
        "exception to the tool's grades or minimum age",
        max_length=2000,
        blank=True,
        validators=[refuse_secrets],
    )
    # The families' answers this authorization needs (a participation scope), once authorized.
    participation_scope = models.OneToOneField(
        ConsentScope, on_delete=models.PROTECT, null=True, blank=True, related_name="authorization"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="authorization_dates_in_order", condition=Q(ends_on__gte=F("starts_on"))),
            models.CheckConstraint(
                name="authorization_refusal_with_reason",
                condition=~Q(status="declined") | ~Q(decision_reason=""),
            ),
            models.CheckConstraint(
                name="authorization_revoked_with_reason",
                condition=~Q(status="revoked") | (~Q(end_reason="") & Q(ended_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="authorization_suspended_with_reason",
                condition=~Q(status="suspended") | (~Q(end_reason="") & Q(ended_at__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "ends_on"], name="authorization_district_status"),
            models.Index(fields=["program", "status"], name="authorization_program_status"),
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
