from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Program, Role, School
from core.forms import field_of
from disclosures.models import (
    DisclosedNetwork,
    DisclosureCycle,
    NetworkPart,
    NetworkPlatform,
    NetworkRunBy,
    ReviewVisibility,
    StudentMembership,
)
from disclosures.selectors import CATEGORIES

# The model keeps any length; the form bounds what one page may post (the default text is under 300).
ATTESTATION_MAX_LENGTH = 5000


class CycleForm(forms.ModelForm[DisclosureCycle]):
    attestation_text = forms.CharField(
        label=_("Attestation"), max_length=ATTESTATION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    required_roles = forms.MultipleChoiceField(
        label=_("Who must file"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty for all active staff; tick roles to ask only the people who hold them."),
    )

    class Meta:
        model = DisclosureCycle
        fields = [
            "school_year_start",
            "opens_on",
            "due_on",
            "new_hire_grace_days",
            "required_roles",
            "attestation_text",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = district.current_school_year
        years = [current.previous(), current, current.next()]
        self.fields["school_year_start"] = forms.TypedChoiceField(
            label=_("School year"), coerce=int, choices=[(year.start_year, year.label) for year in years]
        )
        if self.instance.pk:
            # The school year names the cycle; a wrong one is retired by opening the right one.
            del self.fields["school_year_start"]
        else:
            self.fields["school_year_start"].initial = current.start_year
            # A new cycle starts from the standard attestation (the model's), for the district to adapt.
            self.fields["attestation_text"].initial = DisclosureCycle._meta.get_field("attestation_text").default
        self.fields["attestation_text"].help_text = _(
            "Staff sign this text. Changing it during the cycle asks everyone who signed the earlier text "
            "to sign again."
        )


class NetworkProgramField(forms.ModelChoiceField[Program]):
    def label_from_instance(self, obj: Program) -> str:
        return f"{obj.name} ({obj.school.name})"


class NetworkForm(forms.ModelForm[DisclosedNetwork]):
    url = forms.URLField(
        label=_("Address (if it has one)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = DisclosedNetwork
        fields = ["platform", "name", "url", "program", "school", "run_by", "part", "students_are_members"]
        field_classes = {"program": NetworkProgramField}

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = School.objects.filter(district=district, active=True).order_by("name")
        school = field_of(self.fields, "school", forms.ModelChoiceField)
        school.queryset = schools
        school.empty_label = _("No particular school")
        program = field_of(self.fields, "program", NetworkProgramField)
        program.queryset = (
            Program.objects.filter(school__district=district, active=True)
            .select_related("school")
            .order_by("school__name", "name")
        )
        program.empty_label = _("No particular club, team or class")
        program.label = _("Club, team or class")
        # The model's choices, without the empty choice a required field's select starts with.
        field_of(self.fields, "platform", forms.ChoiceField).choices = [("", _("Choose…")), *NetworkPlatform.choices]
        self.fields["run_by"].widget = forms.RadioSelect(choices=NetworkRunBy.choices)
        self.fields["part"].widget = forms.RadioSelect(choices=NetworkPart.choices)
        self.fields["students_are_members"].widget = forms.RadioSelect(choices=StudentMembership.choices)


class NoneForm(forms.Form):
    takes_part_in_none = forms.BooleanField(label=_("I take part in no such networks"), required=False)


HASH_REFUSED = _("The text you sign could not be checked: read it again and sign.")


class SignatureForm(forms.Form):
    signed_name = forms.CharField(label=_("Type your full name to sign"), max_length=300)
    # Hidden: a refusal must still say something a person understands.
    signed_hash = forms.CharField(
        widget=forms.HiddenInput, max_length=64, error_messages={"required": HASH_REFUSED, "max_length": HASH_REFUSED}
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return for revision"))],
        error_messages={
            "required": _("Choose to accept or return the disclosure."),
            "invalid_choice": _("Choose to accept or return the disclosure."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        error_messages={"max_length": _("Keep the comment under 4,000 characters.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=ReviewVisibility.choices,
        initial=ReviewVisibility.EMPLOYEE,
        required=False,
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        error_messages={"required": _("Write the note."), "max_length": _("Keep the note under 4,000 characters.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=ReviewVisibility.choices, initial=ReviewVisibility.INTERNAL, required=False
    )


class TrackingFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Show"), required=False, choices=[("", _("Everyone"))] + [(c.key, c.label) for c in CATEGORIES]
    )
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), required=False, empty_label=_("All schools")
    )
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.fields, "school", forms.ModelChoiceField).queryset = schools
