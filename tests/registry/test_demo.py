import pytest
from django.core.management import call_command

from registry import selectors
from registry.models import SocialAccount

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
