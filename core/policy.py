"""Reaching the rules that follow a district's policy profile, from the service that saves it.

The profile lives in accounts, the rules that follow it in apps above (consent scopes follow the
photo model). accounts cannot import them, so it calls `profile_saved` here, inside its
transaction, and each app that keeps rules derived from the profile registers the function that
brings them in line when Django starts (its AppConfig.ready). An explicit call, in order, in the
same transaction: if a follower refuses, the profile change is rolled back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# follower(acting_user=..., district=...); what it returns is not used
Follower = Callable[..., object]

_followers: dict[str, Follower] = {}


def register(name: str, follower: Follower) -> None:
    """`name` keeps registration idempotent (ready() may run more than once in tests)."""
    _followers[name] = follower


def profile_saved(*, acting_user: Any, district: Any) -> None:
    """Brings every rule derived from the profile in line with it. Call inside the saving transaction."""
    for follower in _followers.values():
        follower(acting_user=acting_user, district=district)
