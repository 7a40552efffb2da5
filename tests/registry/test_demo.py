import pytest
from django.core.management import call_command

from registry import selectors
from registry.models import SocialAccount
from tools import selectors as tool_selectors

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_director_every_kind_of_account_that_needs_attention():
    call_command("load_demo")

    lakeshore = SocialAccount.objects.filter(district__slug="lakeshore")
    bloomington = SocialAccount.objects.filter(district__slug="bloomington")
    assert selectors.below_minimum(lakeshore).count() == 1  # its only administrator left
    assert selectors.review_overdue(lakeshore).count() == 1
    assert selectors.awaiting_approval(lakeshore).count() == 1
    assert selectors.awaiting_communications(bloomington).count() == 1  # 458: communications sees it first
    assert lakeshore.filter(status="active").count() == 4


def test_the_demo_gives_every_district_its_tool_list_in_every_state():
    from accounts.models import District
    from authorizations import selectors as authorization_selectors
    from authorizations.models import Authorization
    from registry.models import AccountLogoPermission
    from tools.demo import DEMO_TOOLS
    from tools.models import Designee, Tool, ToolStatus

    call_command("load_demo")
    call_command("load_demo")  # loading twice changes nothing

    for district in District.objects.all():
        tools = tool_selectors.tools_of(district.pk)
        assert set(tools.values_list("status", flat=True)) == set(ToolStatus)
        assert tool_selectors.tool_reviews_overdue(tools).count() == 1
        assert tool_selectors.privacy_agreements_expiring(tools, within_days=30).count() == 1
        assert tool_selectors.tool_requests_waiting(district.pk).count() == 2
        # A designee keeps the list only where the policy says "or designee" (460 names the Board instead).
        keeps_list = district.tool_approver == "superintendent_or_designee"
        assert Designee.objects.filter(district=district).count() == (1 if keeps_list else 0)
        letters = AccountLogoPermission.objects.filter(district=district, subject__owner_kind="district").count()
        assert letters == (1 if district.logo_permission_required else 0)  # 458 and 4118.51 provide none
        authorizations = Authorization.objects.filter(district=district)
        assert (
            authorization_selectors.authorizations_not_ready(authorizations).count() == 1
        )  # Instagram, two families missing
        assert authorization_selectors.authorizations_waiting(authorizations).count() == 1
    assert Tool.objects.count() == 5 * len(DEMO_TOOLS)  # loading twice added none
