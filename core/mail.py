"""The one helper that renders an e-mail: a template trio under templates/emails/
(<name>_subject.txt, <name>.txt, <name>.html) and a context, into a message ready to send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.backends.django import Template
from django.template.loader import get_template, render_to_string


def _plain(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: “O'Brien” must not arrive as “O&#x27;Brien”."""
    template = get_template(name)
    if not isinstance(template, Template):  # autoescape is switched off through Django's own engine
        raise TypeError(f"{name} must be a Django template")
    return template.template.render(Context(dict(context), autoescape=False))


def render_email(
    template: str,
    context: Mapping[str, Any],
    *,
    to: Sequence[str],
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    subject = " ".join(_plain(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=_plain(f"emails/{template}.txt", context),
        to=list(to),
        headers=dict(headers or {}),
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", dict(context)), "text/html")
    return message
