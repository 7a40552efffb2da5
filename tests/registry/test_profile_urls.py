"""Profile addresses: every way of writing one account ends at one key; posts and junk are refused."""

from __future__ import annotations

import re

import pytest

from registry.profile_urls import ProfileAddressError, parse_profile_url, platform_for_url, resolve_profile

SAME_ACCOUNT = [
    # (platform, one way of writing it, another way, the key both share)
    ("instagram", "https://www.instagram.com/Some.Team/?hl=en", "instagram.com/some.team", "some.team"),
    ("instagram", "http://m.instagram.com/some.team/reels/", "@Some.Team", "some.team"),
    ("facebook", "https://www.facebook.com/LakeshoreSchools/", "fb.com/lakeshoreschools", "lakeshoreschools"),
    ("facebook", "https://m.facebook.com/profile.php?id=100064&ref=share", "facebook.com/100064", "100064"),
    ("facebook", "https://www.facebook.com/groups/LHSBand/about", "groups/lhsband", "groups/lhsband"),
    ("facebook", "https://www.facebook.com/pages/Lakeshore-High/123456789", "facebook.com/123456789", "123456789"),
    ("x", "https://twitter.com/LakeshoreHS", "x.com/lakeshorehs/status/1800000", "lakeshorehs"),
    ("x", "mobile.twitter.com/@LakeshoreHS", "@LAKESHOREHS", "lakeshorehs"),
    ("youtube", "https://www.youtube.com/@LakeshoreTV/videos", "@lakeshoretv", "@lakeshoretv"),
    ("youtube", "youtube.com/c/LakeshoreTV", "c/lakeshoretv", "c/lakeshoretv"),
    ("tiktok", "https://www.tiktok.com/@LHS.Band?lang=en", "@lhs.band", "lhs.band"),
    (
        "linkedin",
        "https://www.linkedin.com/company/Lakeshore-SD/about/",
        "company/lakeshore-sd",
        "company/lakeshore-sd",
    ),
    ("pinterest", "https://www.pinterest.com/LakeshoreArt/boards/", "lakeshoreart", "lakeshoreart"),
    ("snapchat", "https://www.snapchat.com/add/LHS_Snaps", "@lhs_snaps", "lhs_snaps"),
    ("flickr", "https://www.flickr.com/photos/LakeshorePhotos/albums", "lakeshorephotos", "lakeshorephotos"),
    (
        "website",
        "https://www.Lakeshore.k12.wi.us/Athletics/?utm_source=x",
        "lakeshore.k12.wi.us/Athletics",
        "lakeshore.k12.wi.us/athletics",
    ),
]


@pytest.mark.parametrize(("platform", "first", "second", "key"), SAME_ACCOUNT)
def test_it_reads_two_ways_of_writing_an_account_as_the_same_account(platform, first, second, key):
    one = resolve_profile(platform, url=first)
    typed_as_handle = second.startswith("@") or "." not in second.split("/")[0]
    other = resolve_profile(platform, handle=second) if typed_as_handle else resolve_profile(platform, url=second)

    assert (one.platform, one.key) == (platform, key)
    assert (other.platform, other.key) == (platform, key)
    assert one.url == other.url


def test_it_keeps_the_case_of_youtube_channel_ids_which_are_case_sensitive():
    address = parse_profile_url("https://www.youtube.com/channel/UCabcDEFghiJKLmnoPQRstuv/featured")

    assert address.key == "channel/UCabcDEFghiJKLmnoPQRstuv"
    assert address.url == "https://www.youtube.com/channel/UCabcDEFghiJKLmnoPQRstuv"


def test_it_writes_the_canonical_address_people_can_click():
    address = parse_profile_url("instagram.com/Some.Team?igsh=abc")

    assert address.url == "https://www.instagram.com/some.team/"
    assert address.handle == "@Some.Team"  # shown as typed


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.instagram.com/x", "instagram"),
        ("https://x.com/a", "x"),
        ("twitter.com/a", "x"),
        ("https://lakeshore.example.org/blog", "website"),
        ("https://evil-instagram.com/team", "website"),  # not a subdomain of instagram.com
    ],
)
def test_it_recognises_the_platform_from_the_address(url, platform):
    assert platform_for_url(url) == platform


@pytest.mark.parametrize(
    ("platform", "handle", "url", "message"),
    [
        ("instagram", "", "https://www.instagram.com/p/C0deP0st/", "post or a page"),
        ("facebook", "", "https://www.facebook.com/watch/?v=123", "post or a page"),
        ("facebook", "", "https://www.facebook.com/story.php?story_fbid=1", "post or a page"),
        ("x", "", "https://x.com/", "post or a page"),
        ("x", "", "https://x.com/search?q=lakeshore", "post or a page"),
        ("instagram", "", "https://www.facebook.com/lakeshore", "on Facebook, not on Instagram"),
        ("instagram", "", "javascript:alert(1)", "not a web address"),
        ("instagram", "", "ftp://instagram.com/a", "https://"),
        ("website", "", "https://user:secret@example.org/", "not a web address"),
        ("website", "", "https://localhost/", "not a web address"),
        ("instagram", "", "instagram .com/team", "spaces"),
        ("instagram", "no spaces allowed", "", "not a valid Instagram handle"),
        ("x", "@this_handle_is_far_too_long", "", "not a valid X (Twitter) handle"),
        ("instagram", "@team", "https://www.instagram.com/other/", "different profiles"),
        ("", "@team", "", "Choose the platform"),
        ("instagram", "", "", "Enter the handle"),
    ],
)
def test_it_refuses_what_is_not_a_profile_with_a_reason(platform, handle, url, message):
    with pytest.raises(ProfileAddressError, match=re.escape(message)):
        resolve_profile(platform, handle=handle, url=url)


def test_a_platform_without_rules_keeps_the_handle_and_compares_it_without_case():
    address = resolve_profile("other", handle="LakeshoreRemind")

    assert (address.platform, address.handle, address.key, address.url) == (
        "other",
        "LakeshoreRemind",
        "lakeshoreremind",
        "",
    )
