from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from consent.models import ConsentRecord, ConsentScope, Decision, ReceivedBy


class StudentSearchForm(forms.Form):
    q = forms.CharField(label="Student name or id", max_length=100, required=False)


class ListOptionsForm(forms.Form):
    """What a do-not-post list is about: which scope, and whether it is for a public event."""

    scope = forms.ModelChoiceField(queryset=ConsentScope.objects.none(), required=False, empty_label=None)
    public_arena = forms.BooleanField(label="At a public event (game, concert, performance)", required=False)
    q = forms.CharField(label="Find a student", max_length=100, required=False)

    def __init__(self, *args: Any, scopes: list[ConsentScope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = ConsentScope.objects.filter(pk__in=[scope.pk for scope in scopes])
        self.fields["scope"].choices = [(scope.pk, scope.name) for scope in scopes]
        self.fields["scope"].widget.attrs["class"] = "form-select"
        self.fields["public_arena"].widget.attrs["class"] = "form-check-input"


class RecordForm(forms.ModelForm):
    """A family's answer, as a clerk types it from the paper form."""

    class Meta:
        model = ConsentRecord
        fields = ["scope", "decision", "received_on", "received_by", "guardian_name", "note"]
        widgets = {
            "decision": forms.RadioSelect,
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"received_on": "Received on", "received_by": "Received as"}

    def __init__(self, *args: Any, scopes: list[ConsentScope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = ConsentScope.objects.filter(pk__in=[scope.pk for scope in scopes])
        self.fields["scope"].choices = [(scope.pk, scope.name) for scope in scopes]
        self.fields["scope"].label = "Consent for"
        self.fields["scope"].widget.attrs["autofocus"] = True
        self.fields["decision"].choices = Decision.choices
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["received_by"].initial = ReceivedBy.PAPER
        self.fields["received_by"].choices = [c for c in ReceivedBy.choices if c[0] != ReceivedBy.SIS_IMPORT]


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


class ScopeForm(forms.ModelForm):
    class Meta:
        model = ConsentScope
        fields = [
            "name",
            "description",
            "model",
            "public_arena_exception",
            "renewed_each_school_year",
            "position",
            "active",
        ]
