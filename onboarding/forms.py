from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import US_TIME_ZONES
from accounts.policy_templates import BLANK, TEMPLATES

MONTHS = [(m, name) for m, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], start=1)]  # fmt: skip


def _template_choice(title: str, implies: str) -> str:
    return format_html('<strong>{}</strong><span class="d-block small text-body-secondary">{}</span>', title, implies)


class DistrictCreateForm(forms.Form):
    name = forms.CharField(label=_("District name"), max_length=200)
    slug = forms.CharField(
        label=_("Short name"),
        max_length=50,
        help_text=_("Lower-case letters, digits and hyphens; part of every address, e.g. “willmar”."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=US_TIME_ZONES, initial="America/Chicago")
    school_year_start_month = forms.TypedChoiceField(
        label=_("The school year starts in"), choices=MONTHS, coerce=int, initial=7
    )
    template = forms.ChoiceField(
        label=_("Start the policy profile from"),
        choices=[(t.key, _template_choice(t.title, t.implies)) for t in [*TEMPLATES, BLANK]],
        widget=forms.RadioSelect,
        help_text=_("Every field can be changed afterwards: the director reviews the profile first."),
    )
    director_email = forms.EmailField(label=_("Technology director's e-mail"), max_length=254)
    director_first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    director_last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "organization"
        self.fields["director_email"].widget.attrs["autocomplete"] = "off"
