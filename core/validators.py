"""Validators any app's models use."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# "password: hunter2", "pw=...", "recovery codes 1234 5678": a credential written into a note.
_SECRET_LABEL = re.compile(
    r"\b(pass ?words?|passwd|pass ?phrase|passcode|pwd|pw|pin|secret|"
    r"(?:backup|recovery|2fa|mfa|verification) codes?)\b\s*(?:is|was|=|:|-)\s*\S",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?://|www\.)|^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", re.IGNORECASE)


def _looks_like_secret_token(token: str) -> bool:
    """A run of 10+ characters mixing upper case, lower case, digits and symbols, the way
    generated passwords look (and names, handles and addresses do not)."""
    token = token.strip(".,;:!?()[]\"'")
    if len(token) < 10 or _URLISH.search(token):
        return False
    classes = sum(
        (
            any(c.islower() for c in token),
            any(c.isupper() for c in token),
            any(c.isdigit() for c in token),
            any(not c.isalnum() for c in token),
        )
    )
    return classes == 4


def refuse_secrets(value: str) -> None:
    """We keep how the district can recover an account, never the secret itself."""
    if not value:
        return
    if _SECRET_LABEL.search(value) or any(_looks_like_secret_token(t) for t in value.split()):
        raise ValidationError(
            "This looks like a password or a recovery code. Never store one here: write down where the "
            "district keeps it (for example “in the technology office's password manager”).",
            code="secret",
        )
