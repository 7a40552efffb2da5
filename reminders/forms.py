from django import forms

from reminders.kinds import KINDS
from reminders.models import ReminderStatus


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Reminder",
        required=False,
        choices=[("", "Every reminder"), *((k.key, k.label) for k in KINDS)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ReminderStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
