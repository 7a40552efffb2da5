"""What keeps robots and floods off the public form to report a page, without a third-party service,
a script or a CDN: a field people never see (a robot fills it), a signed ticket that says when the
form was shown (a robot answers faster than a person can read it; an old or forged ticket is
refused), a small sum a person answers, and a count of reports per network address and hour (the
cache-based pattern of consent.family_links). Nothing here writes a report (registry.services does)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "registry.fake-report-ticket"
MIN_SECONDS = 3  # nobody reads the form, pastes an address and answers the sum faster
MAX_SECONDS = 2 * 3600  # an older ticket is refused: the form is shown again with a new one


@dataclass(frozen=True)
class Ticket:
    token: str
    first: int
    second: int

    @property
    def question(self) -> str:
        return _("To show you are a person: what is %(first)s plus %(second)s?") % {
            "first": self.first,
            "second": self.second,
        }


def issue(now: float | None = None) -> Ticket:
    first, second = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    issued = int(time.time() if now is None else now)
    return Ticket(signing.dumps([issued, first, second], salt=SALT, compress=False), first, second)


def current(token: str, now: float | None = None) -> Ticket:
    """The ticket a refused form is shown again with: the same one while it is genuine and not too old
    (the same sum, and the seconds already spent count), else a new one."""
    try:
        issued, first, second = signing.loads(token[:300], salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return issue(now)
    if not all(isinstance(value, int) for value in (issued, first, second)):
        return issue(now)
    if (time.time() if now is None else now) - issued > MAX_SECONDS:
        return issue(now)
    return Ticket(token, first, second)


def refusal(token: str, answer: str, honeypot: str, now: float | None = None) -> tuple[str, str] | None:
    """(field, message) when the submission is not a person's, None when it passes."""
    if honeypot:
        return "", _("Your report could not be sent. Please try again.")
    try:
        issued, first, second = signing.loads(token[:300], salt=SALT)
        elapsed = (time.time() if now is None else now) - int(issued)
        expected = str(int(first) + int(second))
    except (signing.BadSignature, ValueError, TypeError):
        return "", _("The form had expired. Please send it again.")
    if elapsed < MIN_SECONDS:
        return "", _("That was faster than a person can fill in the form. Please check it and send it again.")
    if elapsed > MAX_SECONDS:
        return "", _("The form had expired. Please send it again.")
    if answer.strip() != expected:
        return "answer", _("That is not the right answer to the sum. Please try again.")
    return None


def _key(address: str) -> str:
    hour = timezone.now().strftime("%Y%m%d%H")
    return f"fake-report:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{hour}"


def turned_away(address: str) -> bool:
    """Counts this attempt; True when the address has used up its hour."""
    key = _key(address)
    if cache.add(key, 1, timeout=3600):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=3600)
            count = 1
    return count > int(settings.FAKE_REPORTS_PER_HOUR)
