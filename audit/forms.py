from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.selectors import DEFAULT_DAYS, MAX_PERIOD_DAYS, Period

# Far enough for any record the district holds; the bounds keep date arithmetic safe.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)
DATE_ERRORS = {"invalid": _("Enter a date such as 2026-09-01.")}


class PeriodForm(forms.Form):
    """The period of the audit log, read from the address (?from=…&until=…); either may be left out."""

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label=_("From"), required=False, error_messages=DATE_ERRORS)
        self.fields["until"] = forms.DateField(label=_("Until (included)"), required=False, error_messages=DATE_ERRORS)
        self.today = today

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("from", "until"):
            value = data.get(name)
            if value is not None and not EARLIEST <= value <= LATEST:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("Choose a date between %(earliest)s and %(latest)s."),
                        params={"earliest": EARLIEST.year, "latest": LATEST.year},
                    ),
                )
        if self.errors:
            return data
        last = data.get("until") or self.today
        first = data.get("from") or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise forms.ValidationError(
                _("The end date is before the start date: choose an end on or after the start.")
            )
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)s days at a time; export longer spans one period after another."),
                params={"days": MAX_PERIOD_DAYS},
            )
        data["period"] = Period(first, last)
        return data
