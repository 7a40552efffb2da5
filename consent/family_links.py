"""The families' consent links: what their address carries, how it is checked, and how often one
network address may try. Nothing here writes a consent record (consent.services does).

The address holds a signed pair (the link's id, its nonce). The signature (SECRET_KEY, a salt of its
own) proves the product made it; the nonce must still be the row's, so revoking a link (the row
keeps its nonce but is marked revoked) or replacing it makes every copy of the old address useless;
the row's expiry and revocation are read on every request."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from consent.models import FamilyLink

SALT = "consent.family-link"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def token_for(link: FamilyLink) -> str:
    return signing.dumps([link.pk, link.nonce], salt=SALT, compress=False)


def address_for(link: FamilyLink) -> str:
    """The whole address a family opens (for e-mails, letters and the CSV of links)."""
    from django.urls import reverse

    return f"{settings.SITE_URL}{reverse('family:answer', args=[token_for(link)])}"


def link_from_token(token: str) -> FamilyLink | None:
    """The link `token` names, whatever its state (expired and revoked included); None when the
    token was not made by the product or names no link."""
    try:
        link_id, nonce = signing.loads(token[:200], salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(link_id, int) or not isinstance(nonce, str):
        return None
    link = (
        FamilyLink.objects.select_related("student__school", "guardian", "district", "participation_scope")
        .filter(pk=link_id)
        .first()
    )
    if link is None or not secrets.compare_digest(link.nonce, nonce):
        return None
    return link


# --- How often one address may try --------------------------------------------------------------


def _key(kind: str, address: str) -> str:
    hour = timezone.now().strftime("%Y%m%d%H")
    return f"family-link:{kind}:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{hour}"


def _bump(key: str) -> int:
    if cache.add(key, 1, timeout=3600):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=3600)
        return 1


def turned_away(address: str) -> bool:
    """Counts this request; True when the address has used up its hour (openings or failures)."""
    failures = int(cache.get(_key("failed", address)) or 0)
    if failures >= int(settings.FAMILY_LINK_FAILURES_PER_HOUR):
        return True
    return _bump(_key("opened", address)) > int(settings.FAMILY_LINK_REQUESTS_PER_HOUR)


def note_failure(address: str) -> None:
    """A link that was not made by the product, or no longer works: guessing costs the guesser."""
    _bump(_key("failed", address))


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expiry(days: int, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=days)
