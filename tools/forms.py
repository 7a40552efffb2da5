"""Forms of the approved-tool pages. They parse and check input; the rules live in models and services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Approver, District, School, User
from accounts.pickers import staff_picker_field
from core.forms import ForgetSecretsMixin, PickerField, field_of
from core.sorting import SortColumns
from core.validators import refuse_secrets
from tools import selectors
from tools.access import approver_for
from tools.models import (
    DECIDED_TOOL_STATUSES,
    ApprovalPower,
    DecidedAs,
    Grade,
    Tool,
    ToolCategory,
    ToolRequest,
    ToolStatus,
    WrittenAs,
)
from tools.services import TOOL_DETAIL_FIELDS

_SELECT = {"class": "form-select"}
_DATE = forms.DateInput(attrs={"type": "date"})

REFERENCE_HELP = _(
    "Where the decision is written down, e.g. “Board minutes, March 9, 2026, item 7”. "
    "Required when you record a School Board decision."
)


def _formfield(model_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Web addresses typed without a scheme are taken as https://."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def capacity_choices(capacities: list[str]) -> list[tuple[str, str]]:
    return [(capacity, DecidedAs(capacity).label) for capacity in capacities]


# --- The list ------------------------------------------------------------------------------------

# The list's sortable columns (core.sorting): key in the address -> order, written ascending.
TOOL_SORTS: SortColumns = {
    "name": ["name"],
    "kind": ["category", "name"],
    "status": ["status", "name"],
    "grades": [F("lowest_grade").asc(nulls_first=True), F("highest_grade").asc(nulls_last=True), "name"],
    "consent": ["is_public_social_media", "parental_consent_required", "name"],
    "agreement": [
        "privacy_agreement_on_file",
        F("privacy_agreement_expires_on").asc(nulls_last=True),
        "name",
    ],
}
# The queue of tool requests waiting for a decision.
REQUEST_SORTS: SortColumns = {
    "tool": ["tool_name"],
    "asked_by": ["requested_by__last_name", "requested_by__first_name"],
    "school": [F("school__name").asc(nulls_first=True), "requested_at"],
    "asked_on": ["requested_at"],
}

EVERY_STATUS = "all"
ATTENTION_CHOICES = [
    ("review_overdue", _("Review overdue")),
    ("review_due", _("Review due within 30 days")),
    ("agreement_expired", _("Privacy agreement expired")),
    ("agreement_expiring", _("Privacy agreement ends within 30 days")),
]


class ToolFilterForm(forms.Form):
    """Search and filters of the list. Anything not understood is ignored (and said so)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All but retired")), *ToolStatus.choices, (EVERY_STATUS, _("Every status, with retired"))],
        widget=forms.Select(attrs=_SELECT),
    )
    category = forms.ChoiceField(
        label=_("Kind of tool"),
        required=False,
        choices=[("", _("Every kind")), *ToolCategory.choices],
        widget=forms.Select(attrs=_SELECT),
    )
    attention = forms.ChoiceField(
        label=_("Needs attention"),
        required=False,
        choices=[("", _("Everything")), *ATTENTION_CHOICES],
        widget=forms.Select(attrs=_SELECT),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any grade")), *Grade.choices],
        widget=forms.Select(attrs=_SELECT),
    )

    def apply(self, tools: QuerySet[Tool]) -> QuerySet[Tool]:
        if not self.is_valid():
            return tools.exclude(status=ToolStatus.RETIRED)
        data = self.cleaned_data
        tools = selectors.tool_search(tools, data["q"])
        if not data["status"]:
            tools = tools.exclude(status=ToolStatus.RETIRED)
        elif data["status"] != EVERY_STATUS:
            tools = tools.filter(status=data["status"])
        if data["category"]:
            tools = tools.filter(category=data["category"])
        if data["grade"] is not None:
            tools = selectors.tools_for_grade(tools, data["grade"])
        if data["attention"]:
            needing_attention: dict[str, Callable[[QuerySet[Tool]], QuerySet[Tool]]] = {
                "review_overdue": selectors.tool_reviews_overdue,
                "review_due": selectors.tool_reviews_due,
                "agreement_expired": selectors.privacy_agreements_expired,
                "agreement_expiring": selectors.privacy_agreements_expiring,
            }
            tools = needing_attention[data["attention"]](tools)
        return tools


# --- Keeping the list ----------------------------------------------------------------------------


class ToolForm(ForgetSecretsMixin, forms.ModelForm[Tool]):
    """A tool's details. Its status and decision move only through the decision forms."""

    class Meta:
        model = Tool
        fields = list(TOOL_DETAIL_FIELDS)
        formfield_callback = _formfield
        labels = {
            "name": _("Name of the tool"),
            "vendor": _("Company that makes it"),
            "category": _("Kind of tool"),
            "lowest_grade": _("From grade"),
            "highest_grade": _("To grade"),
        }
        help_texts = {
            "website": _("Its address, e.g. https://www.seesaw.com/"),
            "description": _("What staff use it for with students."),
            "lowest_grade": _("The youngest students who may use it. Leave empty for any grade."),
            "privacy_agreement_expires_on": _("Leave empty if it does not end."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "category": forms.Select(attrs=_SELECT),
            "lowest_grade": forms.Select(attrs=_SELECT),
            "highest_grade": forms.Select(attrs=_SELECT),
            "privacy_agreement_expires_on": _DATE,
            "student_data_held": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lowest_grade", "highest_grade"):
            field_of(self.fields, name, forms.ChoiceField).choices = [("", _("Any grade")), *Grade.choices]


class ToolDecisionForm(ForgetSecretsMixin, forms.Form):
    """Approve (with or without conditions) or refuse a tool; on an approved tool, its periodic review."""

    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(status, ToolStatus(status).label) for status in DECIDED_TOOL_STATUSES],
        widget=forms.RadioSelect,
    )
    decided_as = forms.ChoiceField(label=_("Decided by"), widget=forms.Select(attrs=_SELECT))
    conditions = forms.CharField(
        label=_("Conditions staff must follow"),
        max_length=2000,
        required=False,
        validators=[refuse_secrets],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed for “approved with conditions”, e.g. “teacher-created class accounts only; no student surnames”."
        ),
    )
    decision_reference = forms.CharField(
        label=_("Written record"), max_length=300, required=False, validators=[refuse_secrets], help_text=REFERENCE_HELP
    )

    def __init__(self, *args: Any, capacities: list[str], tool: Tool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = capacity_choices(capacities)
        if tool.is_usable:
            self.initial.setdefault("status", tool.status)
            self.initial.setdefault("conditions", tool.conditions)


class ToolSetAsideForm(ForgetSecretsMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(ToolStatus.UNDER_REVIEW, _("Under review")), (ToolStatus.RETIRED, _("Retired"))]
    )
    reason = forms.CharField(label=_("Why"), max_length=300, validators=[refuse_secrets])


# --- Tool requests -------------------------------------------------------------------------------


class ToolRequestForm(ForgetSecretsMixin, forms.ModelForm[ToolRequest]):
    class Meta:
        model = ToolRequest
        formfield_callback = _formfield
        fields = [
            "tool_name",
            "website",
            "is_public_social_media",
            "purpose",
            "students",
            "school",
            "lowest_grade",
            "highest_grade",
        ]
        labels = {
            "tool_name": _("Name of the tool"),
            "is_public_social_media": _("It is a public social network (anyone can see what is posted)"),
            "lowest_grade": _("From grade"),
            "highest_grade": _("To grade"),
        }
        help_texts = {
            "website": _("Its address, e.g. https://padlet.com/"),
            "purpose": _("What the students will do with it, and why this tool."),
            "is_public_social_media": _("Students then take part only with their parents' consent."),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "students": forms.Textarea(attrs={"rows": 2}),
            "school": forms.Select(attrs=_SELECT),
            "lowest_grade": forms.Select(attrs=_SELECT),
            "highest_grade": forms.Select(attrs=_SELECT),
        }

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school = field_of(self.fields, "school", forms.ModelChoiceField)
        school.queryset = schools
        school.empty_label = _("Not for one school")
        if len(schools) == 1:
            self.initial.setdefault("school", schools[0].pk)
        for name in ("lowest_grade", "highest_grade"):
            field_of(self.fields, name, forms.ChoiceField).choices = [("", _("Choose…")), *Grade.choices]
        self.fields["purpose"].required = True
        self.fields["students"].required = True


class RequestApproveForm(ForgetSecretsMixin, forms.Form):
    decided_as = forms.ChoiceField(label=_("Decided by"), widget=forms.Select(attrs=_SELECT))
    conditions = forms.CharField(
        label=_("Conditions staff must follow (if any)"),
        max_length=2000,
        required=False,
        validators=[refuse_secrets],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to approve without conditions."),
    )
    decision_reference = forms.CharField(
        label=_("Written record"), max_length=300, required=False, validators=[refuse_secrets], help_text=REFERENCE_HELP
    )
    reason = forms.CharField(
        label=_("Note to the person asking (optional)"),
        max_length=2000,
        required=False,
        validators=[refuse_secrets],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, capacities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = capacity_choices(capacities)


class RequestDeclineForm(ForgetSecretsMixin, forms.Form):
    decided_as = forms.ChoiceField(label=_("Decided by"), widget=forms.Select(attrs=_SELECT))
    decision_reason = forms.CharField(
        label=_("Why it is not approved"),
        max_length=2000,
        validators=[refuse_secrets],
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person asking will see this."),
    )
    decision_reference = forms.CharField(
        label=_("Written record"), max_length=300, required=False, validators=[refuse_secrets], help_text=REFERENCE_HELP
    )

    def __init__(self, *args: Any, capacities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = capacity_choices(capacities)


# --- Designees -----------------------------------------------------------------------------------


def powers_open_to_designees(district: District) -> list[tuple[str, str]]:
    """The decisions the district's policy lets the Superintendent hand to a designee."""
    return [
        (power, label)
        for power, label in ApprovalPower.choices
        if approver_for(district, power) == Approver.SUPERINTENDENT_OR_DESIGNEE
    ]


NOT_STAFF = _("%(field)s: no active staff member of the district has this e-mail address or name (“%(text)s”).")


class DesigneeForm(ForgetSecretsMixin, forms.Form):
    email = staff_picker_field(label=_("Staff member"), not_found=NOT_STAFF)
    power = forms.ChoiceField(label=_("May decide"), widget=forms.Select(attrs=_SELECT))
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        validators=[refuse_secrets],
        help_text=_("E.g. “while the Superintendent is on leave” or the letter of designation."),
    )

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        self.user: User | None = None
        field_of(self.fields, "power", forms.ChoiceField).choices = powers_open_to_designees(district)
        field_of(self.fields, "email", PickerField).queryset = User.objects.filter(district=district)

    def clean_email(self) -> User:
        user: User = self.cleaned_data["email"]
        self.user = user
        return user


# --- Written permission to use the district logo ------------------------------------------


class LogoPermissionGrantForm(ForgetSecretsMixin, forms.Form):
    """Written permission to use the district logo on one account or tool, as the policy names its giver.

    `capacities` are the DecidedAs values the person recording it holds (tools.access)."""

    decided_as = forms.ChoiceField(label=_("Granted by"), widget=forms.Select(attrs={"class": "form-select"}))
    granted_by_name = forms.CharField(
        label=_("Name of the person or body granting it"),
        max_length=200,
        validators=[refuse_secrets],
        help_text=_("E.g. “Dr. Ada Lovelace, Superintendent” or “School Board”."),
    )
    granted_on = forms.DateField(label=_("Date of the permission"), widget=forms.DateInput(attrs={"type": "date"}))
    written_as = forms.ChoiceField(label=_("Given in writing as"), choices=[("", _("Choose…")), *WrittenAs.choices])
    reference = forms.CharField(
        label=_("Where the writing is kept"),
        max_length=300,
        required=False,
        validators=[refuse_secrets],
        help_text=_(
            "E.g. “letter of March 3, 2026 in the communications office file”. For a School Board "
            "decision, the meeting date and item of the minutes (required)."
        ),
    )
    conditions = forms.CharField(
        label=_("Conditions, if any"),
        max_length=500,
        required=False,
        validators=[refuse_secrets],
        help_text=_("E.g. “the current logo only, unaltered”."),
    )

    def __init__(self, *args: Any, capacities: list[str], user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = [(c, DecidedAs(c).label) for c in capacities]
        if capacities:
            self.initial.setdefault("decided_as", capacities[0])
        if capacities == [DecidedAs.SCHOOL_BOARD]:
            self.initial.setdefault("granted_by_name", "School Board")
            self.initial.setdefault("written_as", WrittenAs.BOARD_MINUTES)
        elif user is not None and user.full_name:
            self.initial.setdefault("granted_by_name", user.full_name)
        self.initial.setdefault("granted_on", timezone.localdate())


class LogoPermissionWithdrawForm(ForgetSecretsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=500,
        validators=[refuse_secrets],
        widget=forms.TextInput(attrs={"placeholder": _("E.g. “the account was handed to the booster club”")}),
    )


# --- Speaking for the district ----------------------------------------------------------------


class SpokespersonForm(ForgetSecretsMixin, forms.Form):
    """Who may speak for the district, on what, authorized by whom in what capacity, until when."""

    email = staff_picker_field(label=_("Staff member"), not_found=NOT_STAFF)
    subject = forms.CharField(
        label=_("May speak for the district on"),
        max_length=300,
        validators=[refuse_secrets],
        help_text=_("E.g. “athletics, to the news media and on the district's pages”."),
    )
    decided_as = forms.ChoiceField(label=_("Authorized by"), widget=forms.Select(attrs=_SELECT))
    granted_by_name = forms.CharField(
        label=_("Name of the person or body authorizing"), max_length=200, validators=[refuse_secrets]
    )
    granted_on = forms.DateField(label=_("Authorized on"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until withdrawn."),
    )
    reference = forms.CharField(
        label=_("Where the decision is written"),
        max_length=300,
        required=False,
        validators=[refuse_secrets],
        help_text=_("The letter of authorization, or the Board minutes (required for a Board decision)."),
    )

    def __init__(self, *args: Any, district: District, capacities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district = district
        self.person: User | None = None
        field_of(self.fields, "email", PickerField).queryset = User.objects.filter(district=district)
        field_of(self.fields, "decided_as", forms.ChoiceField).choices = [
            (capacity, DecidedAs(capacity).label) for capacity in capacities
        ]
        self.fields["granted_on"].initial = timezone.localdate()

    def clean_email(self) -> User:
        person: User = self.cleaned_data["email"]
        self.person = person
        return person


class SpokespersonWithdrawForm(forms.Form):
    spokesperson = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why the authorization ends"), max_length=500, validators=[refuse_secrets])
