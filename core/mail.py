"""The one helper that renders an e-mail: a template trio under templates/emails/
(<name>_subject.txt, <name>.txt, <name>.html) and a context, into a message ready to send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string


def _plain(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: “O'Brien” must not arrive as “O&#x27;Brien”."""
    return get_template(name).template.render(Context(dict(context), autoescape=False))


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
