"""Registry fixtures: the persona world under each seed policy's account rules."""

from __future__ import annotations

import pytest

from registry.profile_urls import resolve_profile
from registry.services import Designation
from tests.factories import platform


def use_policy(district, policy: str) -> None:
    """Account rules of the seed policies: 547 (register with the director, 1 and preferably 2
    administrators) and 458 (prior approval and the communications office sees the page first)."""
    rules = {
        "547": {"approval_before_launch": True, "communications_review_before_launch": False},
        "458": {"approval_before_launch": True, "communications_review_before_launch": True},
        "register_only": {"approval_before_launch": False, "communications_review_before_launch": False},
    }[policy]
    for field, value in {"min_account_administrators": 1, "preferred_account_administrators": 2, **rules}.items():
        setattr(district, field, value)
    district.save()


def address(handle: str = "@north.band", slug: str = "instagram"):
    return resolve_profile(slug, handle=handle)


def details(default_school, **overrides) -> dict:
    return {
        "display_name": "North High Band",
        "owner_kind": "school",
        "school": default_school,
        "purpose": "Concert dates and photos of performances.",
        "audience": "families",
        "login_email": "band@north.example.org",
        "recovery_method": "password_manager",
        "recovery_notes": "In the technology office's password manager.",
        **overrides,
    }


@pytest.fixture
def request_account(world):
    """A staff member's request, with themselves as primary administrator."""

    def make(*, by=None, handle: str = "@north.band", admins=None, **overrides):
        from registry import services

        by = by or world.staff
        return services.account_request(
            acting_user=by,
            platform=platform("instagram"),
            address=address(handle),
            details=details(world.school, **overrides),
            administrators=admins if admins is not None else [Designation(by, "primary")],
        )

    return make
