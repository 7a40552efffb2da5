"""Forms of the authorization pages: asking, deciding, revoking, and recording a family's answer
about taking part. They only parse; the rules live in authorizations.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Program, Student
from accounts.pickers import program_picker_field
from consent.models import Decision, ReceivedBy
from core.forms import PickerField, field_of
from tools.models import DecidedAs, Tool

DATE_WIDGET = {"type": "date"}


def tool_label(tool: Tool) -> str:
    consent = _("parental consent needed") if tool.needs_participation_consent else _("no parental consent needed")
    return f"{tool.name} — {tool.get_status_display().lower()}, {consent}"


def program_label(program: Program) -> str:
    return f"{program.name} ({program.get_kind_display().lower()}) — {program.school.name}"


class ToolChoiceField(forms.ModelChoiceField[Tool]):
    def label_from_instance(self, obj: Tool) -> str:
        return tool_label(obj)


class ProgramChoiceField(forms.ModelChoiceField[Program]):
    def label_from_instance(self, obj: Program) -> str:
        return program_label(obj)


class RequestForm(forms.Form):
    """A staff member asks to use an approved tool with one of their classes or programs."""

    tool = ToolChoiceField(queryset=Tool.objects.none(), label=_("Tool"), empty_label=_("Choose an approved tool"))
    program = program_picker_field(
        url=reverse_lazy("authorizations:pick_program"),
        label=_("Class or program"),
        help_text=_("Type part of its name, then choose it with its school."),
    )
    purpose = forms.CharField(
        label=_("What the students will do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In a sentence or two, as you would explain it to a parent."),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    ends_on = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("At most a school year; ask again next year."),
    )

    def __init__(self, *args: Any, tools: QuerySet[Tool], programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "tool", forms.ModelChoiceField).queryset = tools
        field_of(self.fields, "program", PickerField).queryset = programs


class DecisionForm(forms.Form):
    """Authorize or not, in the capacity the district's policy gives the person deciding."""

    AUTHORIZE = "authorize"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(AUTHORIZE, _("Authorize")), (DECLINE, _("Do not authorize"))],
        widget=forms.RadioSelect,
    )
    decided_as = forms.ChoiceField(label=_("Deciding as"), choices=())
    reference = forms.CharField(
        label=_("Written record"),
        max_length=300,
        required=False,
        help_text=_(
            "Where the decision is written down, e.g. “Board minutes, March 9, 2026, item 7”. "
            "Required for a School Board decision."
        ),
    )
    reason = forms.CharField(
        label=_("Reason or conditions"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you do not authorize; the person asking will read it."),
    )

    limits_exception = forms.CharField(
        label=_("Exception to the tool's grades or minimum age"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Some enrolled students are outside the tool's limits. Your district's policy lets you authorize it "
            "anyway only if you write down why."
        ),
    )

    def __init__(self, *args: Any, capacities: list[str], asks_exception: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = [(c, DecidedAs(c).label) for c in capacities]
        if len(capacities) == 1:
            self.fields["decided_as"].initial = capacities[0]
        if not asks_exception:
            del self.fields["limits_exception"]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is revoked"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The staff member and the school will read it."),
    )


class ParticipationAnswerForm(forms.Form):
    """A family's answer about taking part, as the clerk reads it from the returned form."""

    student = forms.ModelChoiceField(
        label=_("Student"), queryset=Student.objects.none(), empty_label=_("Choose a student")
    )
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Decision.GRANTED, _("Consents: may take part")),
            (Decision.REFUSED, _("Refuses")),
            (Decision.WITHDRAWN, _("Withdraws an earlier consent")),
        ],
        widget=forms.RadioSelect,
        initial=Decision.GRANTED,
    )
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    received_by = forms.ChoiceField(
        label=_("Received as"), choices=[c for c in ReceivedBy.choices if c[0] != ReceivedBy.SIS_IMPORT]
    )
    guardian_name = forms.CharField(label=_("Parent or guardian"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        enrolled: QuerySet[Student],
        shown: list[Student] | None = None,
        **kwargs: Any,
    ) -> None:
        """`enrolled` validates the choice; `shown` (already loaded, missing first) fills the select
        without another query."""
        super().__init__(*args, **kwargs)
        field = field_of(self.fields, "student", forms.ModelChoiceField)
        field.queryset = enrolled
        if shown is not None:
            field.choices = [("", _("Choose a student")), *((s.pk, student_label(s)) for s in shown)]
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["received_by"].initial = ReceivedBy.PAPER


def student_label(student: Student) -> str:
    if student.grade:
        return _("%(last_name)s, %(first_name)s, grade %(grade)s") % {
            "last_name": student.last_name,
            "first_name": student.first_name,
            "grade": student.grade.lstrip("0") or student.grade,
        }
    return f"{student.last_name}, {student.first_name}"
