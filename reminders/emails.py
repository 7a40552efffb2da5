"""The one helper that turns a reminder into an e-mail: a template trio under templates/emails/
(<name>_subject.txt, <name>.txt, <name>.html), the district's name, an absolute link to the page
to act on, and why the person receives it."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation

from core.languages import family_language
from core.mail import render_email
from reminders.kinds import KINDS_BY_KEY
from reminders.models import Reminder

# object_key prefixes and the models they name.
SUBJECTS = {
    "disclosure_cycle": "disclosures.DisclosureCycle",
    "disclosure": "disclosures.Disclosure",
    "account": "registry.SocialAccount",
    "fake_report": "registry.FakeAccountReport",
    "tool": "tools.Tool",
    "tool_request": "tools.ToolRequest",
    "authorization": "authorizations.Authorization",
    "school": "accounts.School",
    "district": "accounts.District",
    "staff": "accounts.User",
    "roster_sync": "accounts.RosterSync",
    "family_link": "consent.FamilyLink",
    "technology_notice": "tools.TechnologyNotice",
}


def subject_of(object_key: str) -> object | None:
    prefix, _, pk = object_key.partition(":")
    label = SUBJECTS.get(prefix)
    if label is None:
        return None
    subject: object | None = apps.get_model(label)._default_manager.filter(pk=pk).first()
    return subject


_LOOK_IT_UP = object()


def render(
    reminder: Reminder, today: datetime.date | None = None, *, subject: object = _LOOK_IT_UP
) -> EmailMultiAlternatives | None:
    """The e-mail, or None when the kind has nothing left to say (a digest with nothing outstanding).
    A sender writing many reminders about one thing passes the `subject` it already looked up."""
    kind = KINDS_BY_KEY[reminder.kind]
    if subject is _LOOK_IT_UP:
        subject = subject_of(reminder.object_key)
    person = reminder.recipient or reminder.guardian
    # A family reads it in its own language (the roster's preferred language), staff in English.
    language = family_language(reminder.guardian) if reminder.guardian is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        extra: dict[str, Any] = {}
        if kind.context is not None:
            found = kind.context(subject, person, today or timezone.localdate())
            if found is None:
                return None
            extra = found
        context = {
            **extra,
            "reminder": reminder,
            "kind": kind,
            "recipient": person,
            "district": reminder.district,
            "subject": subject,
            "link": f"{settings.SITE_URL}{reminder.path}",
            "site_url": settings.SITE_URL,
            "why": f"You receive this because of {reminder.district.name}'s social media policy ({kind.who.lower()}).",
        }
        return render_email(
            kind.template,
            context,
            to=[reminder.address],
            headers={"Message-ID": reminder.message_id},
            sender=reminder.district,
        )
