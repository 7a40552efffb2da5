"""Starting points for a new district's policy profile: the five seed policies the product is built
from (see the seeds' README), each read off its text, or a blank profile (the product's defaults).

A district starts from one and then reviews every field: its own policy may differ in details. The
demo districts are built from the same templates, so the policy-fidelity test checks both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from accounts.models import (
    Approver,
    DisclosureRecipient,
    PersonalSitePhotos,
    PhotoModel,
    SocialMediaPhotoLists,
    TechnologyNoticeDeadline,
    ToolListVisibility,
)

# Minnesota's student data law: families are told, within 30 days of the start of each school year,
# which technology providers hold their children's data (the four Minnesota seed districts).
MINNESOTA_TECHNOLOGY_NOTICE = {
    "technology_notice_deadline": TechnologyNoticeDeadline.DAYS_AFTER_START,
    "technology_notice_days": 30,
}


@dataclass(frozen=True)
class PolicyTemplate:
    key: str
    title: str
    implies: str  # what choosing it sets, in a sentence a director reads before choosing
    values: dict[str, Any] = field(default_factory=dict)  # policy profile fields (accounts.District)
    document: dict[str, Any] | None = None  # the policy document to record (accounts.PolicyDocument)


TEMPLATES: list[PolicyTemplate] = [
    PolicyTemplate(
        "willmar-460",
        "Willmar Public Schools (MN), Policy 460 Social Media",
        "Written parental consent for student images, public events excepted; staff disclose student-group "
        "networks each year to their school; the Superintendent or the School Board approves tools and logo use; "
        "the approved-tool list is public.",
        {
            "policy_reference": "Policy 460 Social Media",
            **MINNESOTA_TECHNOLOGY_NOTICE,
            "photo_model": PhotoModel.WRITTEN_CONSENT,
            "public_arena_exception": True,
            "disclosure_required": True,
            "disclosure_recipient": DisclosureRecipient.SCHOOL,
            "preferred_account_administrators": 1,
            "tool_approver": Approver.SUPERINTENDENT_OR_BOARD,
            "logo_use_approver": Approver.SUPERINTENDENT_OR_BOARD,
            # V.D.3: no spokesperson "except as authorized by the Superintendent or School Board".
            "spokesperson_approver": Approver.SUPERINTENDENT_OR_BOARD,
            "tool_list_visibility": ToolListVisibility.PUBLIC,
        },
        {
            "number": "460",
            "title": "Social Media",
            "version": "as published (no adoption date given)",
            "text": "Employees may not post images of students on any social media network without written parental "
            "consent, except for images of students taken in the public arena, such as at sporting events or fine "
            "arts public performances. (Excerpt of V.D.7; the Board's policy manual holds the whole text.)",
        },
    ),
    PolicyTemplate(
        "henning-436",
        "Henning Public Schools (MN), Policy 436 Employee Responsible Use of Social Media",
        "Written parental consent for student images, public events excepted; staff disclose student-group "
        "networks each year to the district; the Superintendent or designee approves tools and logo use; the "
        "approved-tool list is for staff.",
        {
            "policy_reference": "Policy 436 Employee Responsible Use of Social Media",
            **MINNESOTA_TECHNOLOGY_NOTICE,
            "photo_model": PhotoModel.WRITTEN_CONSENT,
            "public_arena_exception": True,
            "disclosure_required": True,
            "disclosure_recipient": DisclosureRecipient.DISTRICT,
            "preferred_account_administrators": 1,
            "tool_list_visibility": ToolListVisibility.STAFF,
        },
        {
            "number": "436",
            "title": "Employee Responsible Use of Social Media",
            "version": "as published (no adoption date given)",
            "text": "Employees may not post images of students on any social media network without written parental "
            "consent, except for images of students taken in the public arena. (Excerpt; the Board's policy manual "
            "holds the whole text.)",
        },
    ),
    PolicyTemplate(
        "wisconsin-547",
        "A Wisconsin district, Policy 547.0 / R-547.0 Social Media",
        "Photos follow an opt-out list, public events excepted; every official account registers with the "
        "Director of Technology with at least one (preferably two) administrators, who acknowledge the "
        "guidelines; staff disclose networks to their supervisor; the guidelines are reviewed at least annually.",
        {
            "policy_reference": "Policy 547.0 / R-547.0 Social Media",
            "photo_model": PhotoModel.OPT_OUT,
            "public_arena_exception": True,
            "min_account_administrators": 1,
            "preferred_account_administrators": 2,
            # IV.F: designated administrators "monitor and ensure compliance with this policy".
            "administrator_acknowledgement_required": True,
            "disclosure_required": True,
            "disclosure_recipient": DisclosureRecipient.SUPERVISOR,
            # guidelines to be looked at "at least annually".
            "policy_review_interval_months": 12,
        },
        {
            "number": "547.0 / R-547.0",
            "title": "Social Media",
            "version": "adopted March 9, 2015",
            "adopted_on": datetime.date(2015, 3, 9),
            "text": "All registered accounts must include at least one (preferably two) designated administrators of "
            "the site to monitor and ensure compliance with this policy. (Excerpt of IV.F.)",
        },
    ),
    PolicyTemplate(
        "bloomington-458",
        "Bloomington Public Schools ISD 271 (MN), Policy 458 Employee Use of Social Media",
        "No images of students on the directory-information opt-out list, and none on staff's personal sites; "
        "official pages need prior approval and are seen by the Community Relations Office before launch; "
        "administrators acknowledge the guidelines; no annual disclosure.",
        {
            "policy_reference": "Policy 458 Employee Use of Social Media",
            **MINNESOTA_TECHNOLOGY_NOTICE,
            "photo_model": PhotoModel.OPT_OUT,
            "public_arena_exception": False,
            # IV.B.4: no images of students on the directory-information opt-out list; the district's own
            # social-media question is honoured too.
            "social_media_photo_lists": SocialMediaPhotoLists.BOTH,
            # Guidelines, Confidential Information: "Staff may not post student pictures ... on personal online
            # social media sites."
            "personal_site_student_photos": PersonalSitePhotos.NEVER,
            "approval_before_launch": True,
            "communications_review_before_launch": True,
            "preferred_account_administrators": 1,
            "logo_permission_required": False,
            # IV.B.5: staff "must follow District social media guidelines" for the accounts they manage.
            "administrator_acknowledgement_required": True,
            "disclosure_required": False,
        },
        {
            "number": "458",
            "title": "Employee Use of Social Media",
            "version": "June 26, 2023 (revised guidelines appendix)",
            "adopted_on": datetime.date(2021, 11, 22),
            "last_reviewed_on": datetime.date(2023, 6, 26),
            "text": "Staff may not post images on any social media network of students who are on the District's "
            "directory information opt-out list. (Excerpt of IV.B.4.)",
        },
    ),
    PolicyTemplate(
        "litchfield-4118-51",
        "Litchfield Public Schools (MN), Policy 4118.51 / 4218.51 Social Media",
        "Written parental consent for student images, public events excepted; no district logo or images on "
        "networks the district has not approved; no annual disclosure.",
        {
            "policy_reference": "Policy 4118.51 / 4218.51 Social Media",
            **MINNESOTA_TECHNOLOGY_NOTICE,
            "photo_model": PhotoModel.WRITTEN_CONSENT,
            "public_arena_exception": True,
            "preferred_account_administrators": 1,
            "logo_permission_required": False,
            "official_accounts_on_approved_networks_only": True,
            "disclosure_required": False,
        },
        {
            "number": "4118.51 / 4218.51",
            "title": "Employee Use of Social Media",
            "version": "revised October 5, 2016",
            "adopted_on": datetime.date(2011, 1, 19),
            "last_reviewed_on": datetime.date(2016, 10, 5),
            "text": "Employees may not post images of students on any personal social media network without written "
            "parental consent, except for images of students taken in the public arena. (Excerpt.)",
        },
    ),
]
BLANK = PolicyTemplate(
    "blank",
    "A blank profile",
    "The product's defaults (written consent, disclosure to the district, the Superintendent or designee "
    "decides): review every field before the school year.",
)
TEMPLATES_BY_KEY = {template.key: template for template in [*TEMPLATES, BLANK]}
