"""The one helper that renders an e-mail: a template trio under templates/emails/
(<name>_subject.txt, <name>.txt, <name>.html) and a context, into a message ready to send.

Mail about a district looks like it comes from the district: its sender name and reply-to address
(its settings), with the installation's DEFAULT_FROM_EMAIL as the address that sends it, so it is
still accepted by the receiving servers (SPF, DMARC)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import formataddr, parseaddr
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.backends.django import Template
from django.template.loader import get_template, render_to_string


class Sender(Protocol):
    """What a district says about the mail sent in its name."""

    @property
    def mail_sender(self) -> str: ...

    @property
    def mail_reply_to(self) -> str: ...


def _plain(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: “O'Brien” must not arrive as “O&#x27;Brien”."""
    template = get_template(name)
    if not isinstance(template, Template):  # autoescape is switched off through Django's own engine
        raise TypeError(f"{name} must be a Django template")
    return template.template.render(Context(dict(context), autoescape=False))


def sender_address(sender: Sender | None) -> str:
    """The From header: the district's name for the installation's address."""
    envelope = str(settings.DEFAULT_FROM_EMAIL)
    if sender is None:
        return envelope
    return formataddr((sender.mail_sender, parseaddr(envelope)[1]))


def render_email(
    template: str,
    context: Mapping[str, Any],
    *,
    to: Sequence[str],
    headers: Mapping[str, str] | None = None,
    sender: Sender | None = None,
) -> EmailMultiAlternatives:
    subject = " ".join(_plain(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=_plain(f"emails/{template}.txt", context),
        from_email=sender_address(sender),
        to=list(to),
        reply_to=[sender.mail_reply_to] if sender is not None and sender.mail_reply_to else None,
        headers=dict(headers or {}),
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", dict(context)), "text/html")
    return message
