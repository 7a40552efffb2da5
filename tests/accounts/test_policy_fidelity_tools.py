"""The demo districts follow their seed policies: each profile field the tool, logo and account rules
read, against the words of the policy that requires it (the tools side of issue 24)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import Approver, District
from registry import selectors as registry_selectors
from registry.models import AccountLogoPermission
from tools.models import Tool

pytestmark = pytest.mark.django_db

# (district slug, profile field, expected value, the seed policy's words that require it)
FIDELITY: list[tuple[str, str, Any, str]] = [
    ("lakeshore", "min_account_administrators", 1, "547: at least one, preferably two, designated administrators"),
    ("lakeshore", "preferred_account_administrators", 2, "547: at least one, preferably two, designated admins"),
    ("willmar", "preferred_account_administrators", 1, "460 names no preferred number of administrators"),
    ("henning", "preferred_account_administrators", 1, "436 names no preferred number of administrators"),
    ("bloomington", "preferred_account_administrators", 1, "458: a designated site manager"),
    ("litchfield", "preferred_account_administrators", 1, "4118.51 names no preferred number of administrators"),
    (
        "willmar",
        "tool_approver",
        Approver.SUPERINTENDENT_OR_BOARD,
        "460 II.B: tools which the School District or the School Board has approved for educational use",
    ),
    (
        "willmar",
        "logo_use_approver",
        Approver.SUPERINTENDENT_OR_BOARD,
        "460 III.D.5: explicit permission in writing from the District's Superintendent or School Board",
    ),
    ("willmar", "logo_permission_required", True, "460 III.D.5: without explicit permission in writing"),
    ("henning", "logo_permission_required", True, "436: without permission from the Superintendent or designee"),
    ("lakeshore", "logo_permission_required", True, "547: without permission from the Superintendent, or designee"),
    ("bloomington", "logo_permission_required", False, "458 says nothing of the district logo"),
    (
        "litchfield",
        "logo_permission_required",
        False,
        "4118.51: may not use the District logo ... on networks that have not been approved by the District",
    ),
    # Tools are used within what the district approved them for; no policy provides an exception.
    (
        "willmar",
        "tool_limits_exception_allowed",
        False,
        "460 II.B: tools the School Board has approved for educational use",
    ),
    (
        "henning",
        "tool_limits_exception_allowed",
        False,
        "436 II.B: tools the school district has approved for educational use",
    ),
    ("lakeshore", "tool_limits_exception_allowed", False, "547 provides no exception to an approved tool's terms"),
    (
        "bloomington",
        "tool_limits_exception_allowed",
        False,
        "458 II.B: media the District has approved for educational use",
    ),
    (
        "litchfield",
        "tool_limits_exception_allowed",
        False,
        "4118.51: tools the District has approved for educational use",
    ),
    (
        "litchfield",
        "official_accounts_on_approved_networks_only",
        True,
        "4118.51: may not use the District logo, District images ... on networks that have not been approved",
    ),
    ("willmar", "official_accounts_on_approved_networks_only", False, "460 ties instruction, not pages, to the list"),
    ("henning", "official_accounts_on_approved_networks_only", False, "436 ties instruction, not pages, to the list"),
    ("lakeshore", "official_accounts_on_approved_networks_only", False, "547 asks accounts to register, not a list"),
    ("bloomington", "official_accounts_on_approved_networks_only", False, "458 asks approval of each page"),
]


@pytest.fixture
def demo() -> dict[str, District]:
    call_command("load_demo")
    return {district.slug: district for district in District.objects.all()}


def test_each_demo_district_profile_says_what_its_policy_says(demo):
    wrong = [
        (slug, field, getattr(demo[slug], field), expected, words)
        for slug, field, expected, words in FIDELITY
        if getattr(demo[slug], field) != expected
    ]
    assert wrong == []


def test_the_demo_records_no_logo_letter_where_the_policy_provides_none(demo):
    with_letters = set(
        AccountLogoPermission.objects.filter(withdrawn_on__isnull=True).values_list("district__slug", flat=True)
    )
    assert with_letters == {"willmar", "henning", "lakeshore"}


def test_a_demo_tool_history_ends_with_its_status(demo):
    for tool in Tool.objects.all():
        latest = tool.history.order_by("-history_date", "-history_id").first()
        assert latest is not None
        assert (latest.status, latest.next_review_on) == (tool.status, tool.next_review_on), (tool.district, tool)


def test_no_demo_account_is_on_a_network_its_district_does_not_approve(demo):
    for district in demo.values():
        assert not registry_selectors.on_unapproved_networks(district).exists(), district


def test_the_458_demo_lists_its_one_live_page_the_communications_office_never_saw(demo):
    unseen = {slug: registry_selectors.live_unseen_by_communications(d).count() for slug, d in demo.items()}
    assert unseen == {"willmar": 0, "henning": 0, "lakeshore": 0, "bloomington": 1, "litchfield": 0}
