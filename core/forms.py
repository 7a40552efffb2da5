"""A service's refusal, shown on the form that asked for the change."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """Puts each message of `error` on its field, or above the form when it names no field of the
    form (a plain message, or a field the form does not show)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
