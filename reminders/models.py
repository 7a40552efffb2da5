"""The reminder log: one row per e-mail owed to one person about one thing for one period.

The row is the claim. The planner inserts rows under a unique key (kind, object, recipient,
period), so planning twice, or two planners at once, owes each e-mail once. A sender takes a row
with a conditional update (waiting → sending, with a lease), so two workers never send the same
row; a worker that dies mid-send leaves a lease that expires, and the row is taken again.

The lease has a holder: the dispatcher that put the row on the queue, then the sender that took
it. A sender marks the row sent only while it still holds the lease, and it does so after the mail
server has the whole message but before it sends the final "." that makes the server accept it
(reminders.delivery), so a worker killed at any moment leaves either an unsent row that is taken
again or a sent row whose message the server accepted: never a second copy.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import District, User


class ReminderStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not sent: nothing left to say"
    FAILED = "failed", "Could not be sent"


class Reminder(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=40)
    object_key = models.CharField(max_length=80, help_text="What it is about, as “<model>:<id>”.")
    # A staff member, or a family (a guardian from the roster, who has no account): exactly one.
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True)
    guardian = models.ForeignKey(
        "accounts.Guardian", on_delete=models.CASCADE, related_name="reminders", null=True, blank=True
    )
    period = models.CharField(max_length=40, help_text="Which occurrence: a cycle, a week, a day.")
    path = models.CharField(max_length=300, help_text="The page to act on (made absolute in the e-mail).")
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.WAITING)
    planned_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="The queue or sender holding the row, until.")
    lease_holder = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text="Who asked for it at once (“Send now”, a list's reminder); empty: the daily planner.",
    )

    class Meta:
        ordering = ["-planned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "recipient", "period"], name="reminder_once"),
            models.UniqueConstraint(
                fields=["kind", "object_key", "guardian", "period"],
                condition=Q(guardian__isnull=False),
                name="reminder_once_to_a_family",
            ),
            models.CheckConstraint(
                name="reminder_to_one_person",
                condition=Q(recipient__isnull=False, guardian__isnull=True)
                | Q(recipient__isnull=True, guardian__isnull=False),
            ),
            models.CheckConstraint(
                name="reminder_sent_has_time", condition=~Q(status="sent") | Q(sent_at__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["status", "planned_at"], name="reminder_status_planned"),
            models.Index(fields=["district", "-planned_at"], name="reminder_district_planned"),
            # The dispatcher's question (what is unfinished and not held) reads only unfinished rows.
            models.Index(
                fields=["lease_until"],
                name="reminder_unfinished_lease",
                condition=Q(status__in=["waiting", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        to = self.recipient_id if self.recipient_id else f"family {self.guardian_id}"
        return f"{self.kind} to {to} about {self.object_key} ({self.period})"

    @property
    def address(self) -> str:
        """Where it goes: the staff member's e-mail or the family's."""
        person = self.recipient or self.guardian
        return person.email if person is not None else ""

    @property
    def message_id(self) -> str:
        """The same for every attempt, so a copy sent twice would show as one message to mail systems."""
        return f"<reminder-{self.pk}@social-media-registry>"


class PlanRun(models.Model):
    """One row per day the planner ran: the periodic task plans a day only once it is not finished,
    so a planner missed while the queue was down runs at the next tick instead of never."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Reminders planned for {self.day}"
