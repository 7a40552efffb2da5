"""Each demo district's policy profile says what its seed policy says (consent, posting, speaking and
acknowledging): one row per field and district, with the policy's own words beside the value."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import District, PolicyDocument

pytestmark = pytest.mark.django_db

# (district, profile field, value, the policy's words it follows)
RULES = [
    # Consent collected again each school year: no policy asks for it; written consent stands until withdrawn.
    ("willmar", "consent_renewed_each_school_year", False, "460: “without written parental consent” (no renewal)"),
    ("henning", "consent_renewed_each_school_year", False, "436: “without written parental consent” (no renewal)"),
    ("lakeshore", "consent_renewed_each_school_year", False, "547: parents who have “opted out” (no renewal)"),
    ("bloomington", "consent_renewed_each_school_year", False, "458: “directory information opt-out list”"),
    ("litchfield", "consent_renewed_each_school_year", False, "4118.51: “without written parental consent”"),
    # Which list governs posting students on social media.
    ("willmar", "social_media_photo_lists", "social_media", "460: “without written parental consent”"),
    ("henning", "social_media_photo_lists", "social_media", "436: “without written parental consent”"),
    ("lakeshore", "social_media_photo_lists", "social_media", "547: parents who have “opted out” of public display"),
    (
        "bloomington",
        "social_media_photo_lists",
        "both",
        "458 IV.B.4: “students who are on the District's directory information opt-out list”",
    ),
    ("litchfield", "social_media_photo_lists", "social_media", "4118.51: “without written parental consent”"),
    # Designated administrators acknowledge the guidelines before they count.
    ("willmar", "administrator_acknowledgement_required", False, "460 names no administrators' guidelines"),
    ("henning", "administrator_acknowledgement_required", False, "436 names no administrators' guidelines"),
    (
        "lakeshore",
        "administrator_acknowledgement_required",
        True,
        "547 IV.F: “designated administrators of the site to monitor and ensure compliance with this policy”",
    ),
    (
        "bloomington",
        "administrator_acknowledgement_required",
        True,
        "458 IV.B.5: “Staff must follow District social media guidelines for … accounts … that they manage”",
    ),
    ("litchfield", "administrator_acknowledgement_required", False, "4118.51 names no administrators' guidelines"),
    # Student pictures on employees' personal sites.
    (
        "willmar",
        "personal_site_student_photos",
        "same_rule",
        "460: “on any social media network without written parental consent”",
    ),
    (
        "henning",
        "personal_site_student_photos",
        "same_rule",
        "436: “on any social media network without written parental consent”",
    ),
    ("lakeshore", "personal_site_student_photos", "same_rule", "547: “on any social media network … opted out”"),
    (
        "bloomington",
        "personal_site_student_photos",
        "never",
        "458 guidelines: “Staff may not post student pictures … on personal online social media sites”",
    ),
    (
        "litchfield",
        "personal_site_student_photos",
        "same_rule",
        "4118.51: “on any personal social media network without written parental consent”",
    ),
    # Who authorizes staff to speak for the district.
    (
        "willmar",
        "spokesperson_approver",
        "superintendent_or_board",
        "460 V.D.3: “except as authorized by the Superintendent or School Board”",
    ),
    (
        "henning",
        "spokesperson_approver",
        "superintendent_or_designee",
        "436: “except as authorized by the Superintendent or designee”",
    ),
    (
        "lakeshore",
        "spokesperson_approver",
        "superintendent_or_designee",
        "R-547.0 C: “except as authorized by the Superintendent or the Superintendent's designee”",
    ),
    (
        "bloomington",
        "spokesperson_approver",
        "superintendent_or_designee",
        "458 IV.C.3: “except as authorized by the Superintendent or the Superintendent's designee”",
    ),
    (
        "litchfield",
        "spokesperson_approver",
        "superintendent_or_designee",
        "4118.51: “except as authorized by the Superintendent or the Superintendent's designee”",
    ),
    # How often the policy documents are reviewed.
    ("willmar", "policy_review_interval_months", None, "460 sets no review cycle"),
    ("henning", "policy_review_interval_months", None, "436 sets no review cycle"),
    (
        "lakeshore",
        "policy_review_interval_months",
        12,
        "R-547.0: “look at this document, at least annually”",
    ),
    ("bloomington", "policy_review_interval_months", None, "458 sets no review cycle"),
    ("litchfield", "policy_review_interval_months", None, "4118.51 sets no review cycle"),
]


def test_every_demo_profile_follows_its_seed_policy():
    call_command("load_demo")
    districts = {district.slug: district for district in District.objects.all()}

    wrong = [
        f"{slug}.{field} is {getattr(districts[slug], field)!r}, {words} asks for {value!r}"
        for slug, field, value, words in RULES
        if getattr(districts[slug], field) != value
    ]
    assert not wrong, "\n".join(wrong)


# (district, policy number) as the seed policy names itself
DOCUMENTS = [
    ("willmar", "460"),
    ("henning", "436"),
    ("lakeshore", "547.0 / R-547.0"),
    ("bloomington", "458"),
    ("litchfield", "4118.51 / 4218.51"),
]


def test_every_demo_district_keeps_its_seed_policy_as_a_document():
    call_command("load_demo")

    kept = {(d.district.slug, d.number) for d in PolicyDocument.objects.filter(current=True).select_related("district")}
    assert kept == set(DOCUMENTS)
