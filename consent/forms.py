from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolYear, school_year_for
from consent import importer
from consent.models import ConsentRecord, ConsentScope, Decision, ReceivedBy, form_school_year
from core.forms import field_of
from registry.models import SocialAccount


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Student name or id"), max_length=100, required=False)


ANY_USE = ""
OFFICIAL = "official"
PERSONAL = "personal"


class CheckForm(StudentSearchForm):
    """The quick check: which students, and where the picture would be posted."""

    where = forms.ChoiceField(label=_("Where will it be posted?"), required=False)

    def __init__(self, *args: Any, accounts: list[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "where", forms.ChoiceField).choices = [
            (ANY_USE, _("Any use: every list")),
            (OFFICIAL, _("An official account of the district")),
            *(
                (f"account:{account.pk}", _("Official account: %(name)s") % {"name": account.display_name})
                for account in accounts
            ),
            (PERSONAL, _("A personal site or account")),
        ]
        self.fields["where"].widget.attrs["class"] = "form-select"


class ListOptionsForm(forms.Form):
    """What a do-not-post list is about: which scope, and whether it is for a public event."""

    scope = forms.ModelChoiceField(queryset=ConsentScope.objects.none(), required=False, empty_label=None)
    public_arena = forms.BooleanField(label=_("At a public event (game, concert, performance)"), required=False)
    q = forms.CharField(label=_("Find a student"), max_length=100, required=False)

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
        labels = {"received_on": _("Received on"), "received_by": _("Received as")}

    school_year = forms.TypedChoiceField(
        label=_("Counts for the school year"),
        coerce=int,
        required=False,
        empty_value=None,  # not given: the school year the answer was received in
        help_text=_("A form returned before the summer for the coming school year counts from its first day."),
    )

    def __init__(
        self, *args: Any, scopes: list[ConsentScope], school_years: list[SchoolYear] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scope_field = field_of(self.fields, "scope", forms.ModelChoiceField)
        scope_field.queryset = ConsentScope.objects.filter(pk__in=[scope.pk for scope in scopes])
        scope_field.choices = [(scope.pk, scope.name) for scope in scopes]
        scope_field.label = _("Consent for")
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


NOT_ON_FORM = ""
PAPER_ANSWERS = [
    (NOT_ON_FORM, _("Not on this form")),
    (Decision.GRANTED, _("Granted")),
    (Decision.REFUSED, _("Refused")),
    (Decision.WITHDRAWN, _("Withdrawn")),
]


class PaperForm(forms.Form):
    """One family's paper form as the clerk types it: an answer (or none) for every consent the
    district asks about, received on one day, for one school year."""

    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    school_year = forms.TypedChoiceField(
        label=_("The form is for the school year"),
        coerce=int,
        help_text=_("A form returned before the summer for the coming school year counts from its first day."),
    )
    guardian_name = forms.CharField(label=_("Parent or guardian"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(
        self, *args: Any, scopes: list[ConsentScope], start_month: int, received_on: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = scopes
        for scope in scopes:
            self.fields[self.scope_field_name(scope)] = forms.ChoiceField(
                label=scope.name,
                choices=PAPER_ANSWERS,
                required=False,
                initial=NOT_ON_FORM,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        # The date the form was received decides the school years it may count for: the date typed
        # (when it is one), else the day shown.
        if self.is_bound:
            typed = self.fields["received_on"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("received_on")
            )
            with contextlib.suppress(forms.ValidationError):
                received_on = self.fields["received_on"].clean(typed)
        if not datetime.MINYEAR < received_on.year < datetime.MAXYEAR:  # no school year around it
            received_on = timezone.localdate()
        received_in = school_year_for(received_on, start_month)
        year_field = field_of(self.fields, "school_year", forms.TypedChoiceField)
        year_field.choices = [(year.start_year, year.label) for year in (received_in, received_in.next())]
        year_field.initial = form_school_year(received_on, start_month).start_year
        self.fields["received_on"].initial = received_on
        for name in ("received_on", "guardian_name", "note"):
            self.fields[name].widget.attrs["class"] = "form-control"
        year_field.widget.attrs["class"] = "form-select"

    @staticmethod
    def scope_field_name(scope: ConsentScope) -> str:
        return f"scope_{scope.pk}"

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[self.scope_field_name(scope)] for scope in self.scopes]

    def answers(self) -> dict[ConsentScope, str]:
        """The scopes the form answers, with their answers ("not on this form" left out)."""
        return {
            scope: self.cleaned_data[self.scope_field_name(scope)]
            for scope in self.scopes
            if self.cleaned_data.get(self.scope_field_name(scope))
        }


STANDARD_LAYOUT = "standard"
DISTRICT_LAYOUT = "district"
MAPPED_LABELS = {
    "sis_id": _("Student id"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "birth_date": _("Birth date"),
    "date": _("Date the answer was received"),
    "school_year": _("School year"),
    "guardian": _("Parent or guardian"),
}


class ImportForm(forms.Form):
    """The file, and how to read it: the standard columns, or the district's own export through the
    columns mapped here (saved for the district, and offered again next time)."""

    file = forms.FileField(label=_("Consent file (.csv)"))
    layout = forms.ChoiceField(
        label=_("The file is"),
        choices=[
            (STANDARD_LAYOUT, _("In the standard layout: one answer per row (sis_id, scope, decision, date)")),
            (DISTRICT_LAYOUT, _("Our district's export: one student per row, with the columns below")),
        ],
        required=False,  # not given: the standard layout
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        scopes: list[ConsentScope] | None = None,
        mapping: importer.ColumnMapping | None = None,
        **kwargs: Any,
    ) -> None:
        """`mapping`: the district's saved columns (None: none saved yet, the template's are offered)."""
        super().__init__(*args, **kwargs)
        self.scopes = scopes or []
        self.fields["layout"].initial = STANDARD_LAYOUT if mapping is None else DISTRICT_LAYOUT
        mapping = mapping or importer.ColumnMapping.default(self.scopes)
        for name in importer.MAPPED_FIELDS:
            self.fields[f"column_{name}"] = forms.CharField(
                label=MAPPED_LABELS[name], max_length=100, required=False, initial=mapping.fields.get(name, "")
            )
        for scope in self.scopes:
            self.fields[self.scope_field_name(scope)] = forms.CharField(
                label=scope.name, max_length=100, required=False, initial=mapping.scopes.get(scope.pk, "")
            )
        self.fields["column_sis_id"].help_text = _(
            "Leave empty if the export has no student id: students are then found by first name, last name and "
            "birth date."
        )
        self.fields["column_school_year"].help_text = _(
            "Optional: without it an answer counts for the school year its date falls in."
        )

    @staticmethod
    def scope_field_name(scope: ConsentScope) -> str:
        return f"column_scope_{scope.pk}"

    def field_columns(self) -> list[forms.BoundField]:
        return [self[f"column_{name}"] for name in importer.MAPPED_FIELDS]

    def scope_columns(self) -> list[forms.BoundField]:
        return [self[self.scope_field_name(scope)] for scope in self.scopes]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.CONSENT_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.") % {"size": settings.CONSENT_UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("layout") != DISTRICT_LAYOUT:
            return data
        columns = {name: data.get(f"column_{name}", "").strip() for name in importer.MAPPED_FIELDS}
        if not columns["date"]:
            self.add_error("column_date", _("Name the column that holds the date the answer was received."))
        if not columns["sis_id"]:
            for name in importer.NAME_FIELDS:
                if not columns[name]:
                    self.add_error(
                        f"column_{name}",
                        _("Without a student id column, name the columns of first name, last name and birth date."),
                    )
        scope_columns = {
            self.scope_field_name(scope): data.get(self.scope_field_name(scope), "").strip() for scope in self.scopes
        }
        if not any(scope_columns.values()):
            self.add_error(None, _("Name the column of at least one consent."))
        seen: dict[str, str] = {}
        for field_name, header in [*((f"column_{n}", c) for n, c in columns.items()), *scope_columns.items()]:
            if not header:
                continue
            if header.casefold() in seen:
                self.add_error(
                    field_name,
                    _("“%(header)s” is already the column of %(other)s.")
                    % {"header": header, "other": self.fields[seen[header.casefold()]].label},
                )
            else:
                seen[header.casefold()] = field_name
        return data

    def mapping(self) -> importer.ColumnMapping:
        """The columns given (valid form, the district's layout)."""
        data = self.cleaned_data
        return importer.ColumnMapping(
            fields={
                name: data[f"column_{name}"].strip()
                for name in importer.MAPPED_FIELDS
                if data.get(f"column_{name}", "").strip()
            },
            scopes={
                scope.pk: data[self.scope_field_name(scope)].strip()
                for scope in self.scopes
                if data.get(self.scope_field_name(scope), "").strip()
            },
        )

    @property
    def district_layout(self) -> bool:
        return self.cleaned_data.get("layout") == DISTRICT_LAYOUT


class ScopeForm(forms.ModelForm[ConsentScope]):
    class Meta:
        model = ConsentScope
        fields = [
            "name",
            "description",
            "description_es",
            "model",
            "public_arena_exception",
            "renewed_each_school_year",
            "follows_policy",
            "differs_because",
            "position",
            "active",
        ]


class SameAnswerForm(forms.Form):
    """One answer, recorded for every student listed: the paper forms a clerk holds in a stack."""

    decision = forms.ChoiceField(label=_("The answer on each form"), choices=Decision.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note (recorded with each answer)"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
