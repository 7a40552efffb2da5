"""The scopes every district starts with, shaped by its policy profile.

Plain data (no model imports), so the data migration and the service share it.
"""

from __future__ import annotations

from typing import Any

WRITTEN_CONSENT = "written_consent"
OPT_OUT = "opt_out"


DIRECTORY_INFORMATION_LISTS = ("directory_information", "both")


def standard_scopes(
    photo_model: str, public_arena_exception: bool, renewed: bool = False, social_media_photo_lists: str = ""
) -> list[dict[str, Any]]:
    """Social media, the website and the news follow the policy's photo model and whether the
    policy collects answers again each school year (none of the seed policies does: an answer
    stands until the family changes it); the yearbook is directory information, which families
    opt out of once. Where the directory-information opt-out list governs social media (458), the
    district keeps that list too: opt-out, no exception, as the policy states it."""
    directory = [
        {
            "kind": "directory_info",
            "name": "Directory information (opt-out list)",
            "model": OPT_OUT,
            "public_arena_exception": False,
            "renewed_each_school_year": False,
            "position": 5,
        }
    ]
    return (directory if social_media_photo_lists in DIRECTORY_INFORMATION_LISTS else []) + [
        {
            "kind": "social_media",
            "name": "District and school social media",
            "model": photo_model,
            "public_arena_exception": public_arena_exception,
            "renewed_each_school_year": renewed,
            "position": 1,
        },
        {
            "kind": "website",
            "name": "District website and newsletters",
            "model": photo_model,
            "public_arena_exception": public_arena_exception,
            "renewed_each_school_year": renewed,
            "position": 2,
        },
        {
            "kind": "yearbook",
            "name": "Yearbook",
            "model": OPT_OUT,
            "public_arena_exception": False,
            "renewed_each_school_year": False,
            "position": 3,
        },
        {
            "kind": "news_media",
            "name": "News media",
            "model": photo_model,
            "public_arena_exception": public_arena_exception,
            "renewed_each_school_year": renewed,
            "position": 4,
        },
    ]


# Kinds whose rule is the directory-information opt-out: the same whatever the photo model.
DIRECTORY_KINDS = ("yearbook", "directory_info")


def policy_rule(kind: str, photo_model: str, public_arena_exception: bool, renewed: bool) -> dict[str, Any] | None:
    """What the policy profile says a scope of `kind` follows (the model, the exception, renewal).
    A participation scope has its own rule (a database constraint), so None."""
    if kind == "participation":
        return None
    if kind in DIRECTORY_KINDS:
        return {"model": OPT_OUT, "public_arena_exception": False, "renewed_each_school_year": False}
    return {"model": photo_model, "public_arena_exception": public_arena_exception, "renewed_each_school_year": renewed}
