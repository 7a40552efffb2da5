from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import District

DATE_ERRORS = {"invalid": _("Enter a date such as 2026-09-01.")}
YEARS_OFFERED = 5
OTHER_PERIOD = "period"


class EvidencePackForm(forms.Form):
    """A school year of the district (this one and the four before), or a period of one's own."""

    def __init__(self, *args: Any, district: District, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = district.school_year_for(today)
        years = []
        for _n in range(YEARS_OFFERED):
            years.append((str(year.start_year), _("School year %(label)s") % {"label": year.label}))
            year = year.previous()
        self.fields["school_year"] = forms.ChoiceField(
            label=_("Period"), choices=[*years, (OTHER_PERIOD, _("Other dates (below)"))], initial=years[0][0]
        )
        self.fields["start"] = forms.DateField(label=_("From"), required=False, error_messages=DATE_ERRORS)
        self.fields["end"] = forms.DateField(label=_("Until (included)"), required=False, error_messages=DATE_ERRORS)

    def request_arguments(self) -> dict[str, Any]:
        """What the service is asked for: a school year, or the two days."""
        data = self.cleaned_data
        if data["school_year"] != OTHER_PERIOD:
            return {"school_year": int(data["school_year"])}
        return {"start": data.get("start"), "end": data.get("end")}
