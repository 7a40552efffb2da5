from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts.models import SchoolYear
from consent.models import ConsentRecord, ConsentScope, Decision, ReceivedBy
from core.forms import field_of
from registry.models import SocialAccount


class StudentSearchForm(forms.Form):
    q = forms.CharField(label="Student name or id", max_length=100, required=False)


ANY_USE = ""
OFFICIAL = "official"
PERSONAL = "personal"


class CheckForm(StudentSearchForm):
    """The quick check: which students, and where the picture would be posted."""

    where = forms.ChoiceField(label="Where will it be posted?", required=False)

    def __init__(self, *args: Any, accounts: list[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "where", forms.ChoiceField).choices = [
            (ANY_USE, "Any use: every list"),
            (OFFICIAL, "An official account of the district"),
            *((f"account:{account.pk}", f"Official account: {account.display_name}") for account in accounts),
            (PERSONAL, "A personal site or account"),
        ]
        self.fields["where"].widget.attrs["class"] = "form-select"


class ListOptionsForm(forms.Form):
    """What a do-not-post list is about: which scope, and whether it is for a public event."""

    scope = forms.ModelChoiceField(queryset=ConsentScope.objects.none(), required=False, empty_label=None)
    public_arena = forms.BooleanField(label="At a public event (game, concert, performance)", required=False)
    q = forms.CharField(label="Find a student", max_length=100, required=False)

    def __init__(self, *args: Any, scopes: list[ConsentScope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field = field_of(self.fields, "scope", forms.ModelChoiceField)
        scope_field.queryset = ConsentScope.objects.filter(pk__in=[scope.pk for scope in scopes])
        scope_field.choices = [(scope.pk, scope.name) for scope in scopes]
        scope_field.widget.attrs["class"] = "form-select"
        self.fields["public_arena"].widget.attrs["class"] = "form-check-input"


class RecordForm(forms.ModelForm[ConsentRecord]):
    """A family's answer, as a clerk types it from the paper form."""

    class Meta:
        model = ConsentRecord
        fields = ["scope", "decision", "received_on", "school_year", "received_by", "guardian_name", "note"]
        widgets = {
            "decision": forms.RadioSelect,
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"received_on": "Received on", "received_by": "Received as"}

    school_year = forms.TypedChoiceField(
        label="Counts for the school year",
        coerce=int,
        required=False,
        empty_value=None,  # not given: the school year the answer was received in
        help_text="A form returned before the summer for the coming school year counts from its first day.",
    )

    def __init__(
        self, *args: Any, scopes: list[ConsentScope], school_years: list[SchoolYear] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scope_field = field_of(self.fields, "scope", forms.ModelChoiceField)
        scope_field.queryset = ConsentScope.objects.filter(pk__in=[scope.pk for scope in scopes])
        scope_field.choices = [(scope.pk, scope.name) for scope in scopes]
        scope_field.label = "Consent for"
        # This school year and the next, this one first (the usual case).
        years = school_years or []
        year_field = field_of(self.fields, "school_year", forms.TypedChoiceField)
        year_field.choices = [(year.start_year, year.label) for year in years]
        if years:
            year_field.initial = years[0].start_year
        scope_field.widget.attrs["autofocus"] = True
        field_of(self.fields, "decision", forms.ChoiceField).choices = Decision.choices
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["received_by"].initial = ReceivedBy.PAPER
        field_of(self.fields, "received_by", forms.ChoiceField).choices = [
            c for c in ReceivedBy.choices if c[0] != ReceivedBy.SIS_IMPORT
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Consent file (.csv)",
        help_text="Columns: sis_id, scope, decision, date; optionally guardian, received_as, note, school_year.",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.CONSENT_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {settings.CONSENT_UPLOAD_MAX_BYTES // (1024 * 1024)} MB."
            )
        return upload


class ScopeForm(forms.ModelForm[ConsentScope]):
    class Meta:
        model = ConsentScope
        fields = [
            "name",
            "description",
            "model",
            "public_arena_exception",
            "renewed_each_school_year",
            "follows_policy",
            "differs_because",
            "position",
            "active",
        ]
