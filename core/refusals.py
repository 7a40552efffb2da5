"""A service's refusal (a ValidationError) turned into what the page shows, in one place: on the form
that asked for the change, or as messages on the page the view redirects to.

A ValidationError carries either messages by field (`error_dict`) or plain messages; both are read
here, so no view reads `message_dict` of an error that has none.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def refusal_messages(error: ValidationError) -> list[str]:
    """Every message of the refusal, field by field or plain, in order."""
    if hasattr(error, "error_dict"):
        return [message for field_messages in error.message_dict.values() for message in field_messages]
    return list(error.messages)


def show_refusal(request: HttpRequest, error: ValidationError) -> None:
    """The refusal as messages on the next page (the view redirects)."""
    for message in refusal_messages(error):
        messages.error(request, message)


def add_refusal(form: forms.BaseForm, error: ValidationError, aliases: Mapping[str, str | None] | None = None) -> None:
    """Each message of the refusal on its field (renamed through `aliases` where the form calls it
    otherwise; None: above the form), or above the form when it names no field the form shows, or no
    field at all."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, field_messages)


def require(allowed: bool) -> None:
    """A step the user may not take on something they can see: 403."""
    if not allowed:
        raise PermissionDenied
