"""Demo accounts for each demo district, in every state a director will meet. Loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Approver, District, Program, ProgramKind, User
from registry import access, services
from registry.models import (
    AccountStatus,
    AdministratorRole,
    ApprovalPower,
    Audience,
    DecidedAs,
    LogoPermissionForm,
    OwnerKind,
    Platform,
    RecoveryMethod,
    SocialAccount,
    Tool,
    ToolCategory,
    ToolRequest,
    ToolStatus,
)
from registry.profile_urls import resolve_profile


def _user(district: District, local: str) -> User:
    return User.objects.get(email=f"{local}@{district.slug}.example.org")


def _details(display_name: str, kind: str, purpose: str, district: District, **extra: object) -> dict:
    return {
        "display_name": display_name,
        "owner_kind": kind,
        "purpose": purpose,
        "audience": extra.pop("audience", Audience.COMMUNITY),
        "login_email": f"socialmedia@{district.slug}.example.org",
        "recovery_method": RecoveryMethod.PASSWORD_MANAGER,
        "recovery_notes": "Technology office password manager, “Social media” vault.",
        **extra,
    }


def _designations(*pairs: tuple[User, str]) -> list[services.Designation]:
    return [services.Designation(user=user, role=role) for user, role in pairs]


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    for district in District.objects.filter(slug__in=["willmar", "henning", "lakeshore", "bloomington", "litchfield"]):
        if SocialAccount.objects.filter(district=district).exists():
            continue
        director = _user(district, "director")
        communications = _user(district, "communications")
        school = district.schools.order_by("code").first()
        team = Program.objects.filter(school=school, kind=ProgramKind.TEAM).first()
        club = Program.objects.filter(school=school, kind=ProgramKind.CLUB).first()
        principal, teacher, coach = (_user(district, n) for n in ("principal.s1", "teacher1.s1", "coach.s1"))
        second_teacher = _user(district, "teacher2.s1")
        slug = district.slug

        def register(  # noqa: ANN202
            platform: str,
            url: str,
            details: dict,
            admins: list,
            launched_ago_days: int | None,
            district: District = district,
            director: User = director,
        ):
            launched_on = today - datetime.timedelta(days=launched_ago_days) if launched_ago_days else None
            return services.account_register(
                acting_user=director,
                district=district,
                platform=Platform.objects.get(slug=platform),
                address=resolve_profile(platform, url=url),
                details=details,
                administrators=admins,
                launched_on=launched_on,
            )

        register(
            "facebook",
            f"https://www.facebook.com/{slug}publicschools",
            _details(
                f"{district.name.split(' (')[0]}", OwnerKind.DISTRICT, "District news, closings and events.", district
            ),
            _designations((communications, AdministratorRole.PRIMARY), (director, AdministratorRole.BACKUP)),
            200,
        )
        register(
            "instagram",
            f"https://www.instagram.com/{slug}_{school.pk}_school/",
            _details(f"{school.name}", OwnerKind.SCHOOL, "School life and celebrations.", district, school=school),
            _designations((principal, AdministratorRole.PRIMARY)),
            300,
        )
        soccer = register(
            "x",
            f"https://x.com/{slug[:6]}sports",  # X allows 15 characters: no database ids
            _details(f"{team.name}", OwnerKind.PROGRAM, "Scores, schedules and game-day news.", district, program=team),
            _designations((coach, AdministratorRole.PRIMARY), (teacher, AdministratorRole.BACKUP)),
            400,
        )
        # A review that was due two months ago, so the overdue list has something in it. Staged demo
        # data (update() writes no history): nobody made this change, so the audit log need not show it.
        SocialAccount.objects.filter(pk=soccer.pk).update(next_review_on=today - datetime.timedelta(days=60))

        # A club page whose only administrator has since left the district.
        leaver, _ = User.objects.get_or_create(
            email=f"former.advisor@{slug}.example.org",
            defaults={"district": district, "first_name": "Morgan", "last_name": "Lindqvist", "job_title": "Teacher"},
        )
        register(
            "youtube",
            f"https://www.youtube.com/@{slug}{club.name.replace(' ', '').lower()}",
            _details(f"{club.name} videos", OwnerKind.PROGRAM, "Showcase of projects.", district, program=club),
            _designations((leaver, AdministratorRole.PRIMARY)),
            500,
        )
        # Staged demo data like the review date above: no history row on purpose.
        User.objects.filter(pk=leaver.pk).update(is_active=False, left_on=today - datetime.timedelta(days=20))

        # A teacher's request waiting for the director (and, where the policy says so, communications).
        request = services.account_request(
            acting_user=second_teacher,
            platform=Platform.objects.get(slug="tiktok"),
            address=resolve_profile("tiktok", url=f"https://www.tiktok.com/@{slug}_{school.pk}_library"),
            details=_details(
                f"{school.name} Library",
                OwnerKind.SCHOOL,
                "Book talks and reading challenges.",
                district,
                school=school,
                audience=Audience.STUDENTS,
            ),
            administrators=_designations(
                (second_teacher, AdministratorRole.PRIMARY), (teacher, AdministratorRole.BACKUP)
            ),
        )
        if district.communications_review_before_launch and request.status == AccountStatus.REQUESTED:
            services.account_approve(acting_user=director, account=request)
    for district in District.objects.filter(slug__in=["willmar", "henning", "lakeshore", "bloomington", "litchfield"]):
        if not Tool.objects.filter(district=district).exists():
            _load_tools(district, today)


# (name, vendor, website, category, public social network, status, conditions, grades, minimum age,
#  privacy agreement expires in days (None: no agreement), parental consent, review due in days)
DEMO_TOOLS = [
    ("Google Classroom", "Google", "https://classroom.google.com/", ToolCategory.CLASSROOM, False,
     ToolStatus.APPROVED, "", (0, 12), None, 20, False, 250),
    ("Seesaw", "Seesaw Learning", "https://web.seesaw.me/", ToolCategory.CREATION, False,
     ToolStatus.APPROVED_WITH_CONDITIONS, "Class journals stay private to the class and its families.", (-1, 5),
     None, 300, True, 120),
    ("Canva for Education", "Canva", "https://www.canva.com/education/", ToolCategory.CREATION, False,
     ToolStatus.APPROVED_WITH_CONDITIONS, "Students under 13 work in teacher-created classes only; no sharing "
     "outside the class.", (3, 12), 13, 400, False, 200),
    ("YouTube", "Google", "https://www.youtube.com/", ToolCategory.VIDEO, True,
     ToolStatus.APPROVED_WITH_CONDITIONS, "Teachers show curated videos. Students publish only with the "
     "Superintendent's authorization for the class and every family's consent.", (6, 12), 13, None, True, 20),
    ("Instagram", "Meta", "https://www.instagram.com/", ToolCategory.SOCIAL_MEDIA, True,
     ToolStatus.APPROVED_WITH_CONDITIONS, "Only for a club or team with the Superintendent's authorization and "
     "parental consent; no student surnames or close-ups of students on the do-not-post list.", (9, 12), 13, None,
     True, 90),
    ("Remind", "Remind101", "https://www.remind.com/", ToolCategory.COMMUNICATION, False,
     ToolStatus.APPROVED, "", (6, 12), 13, 150, False, -10),
    ("Kahoot!", "Kahoot! ASA", "https://kahoot.com/schools/", ToolCategory.ASSESSMENT, False,
     ToolStatus.APPROVED, "", (2, 12), None, 500, False, 300),
    ("TikTok", "ByteDance", "https://www.tiktok.com/", ToolCategory.SOCIAL_MEDIA, True,
     ToolStatus.NOT_APPROVED, "", (None, None), 13, None, True, None),
    ("Padlet", "Wallwisher", "https://padlet.com/", ToolCategory.CREATION, False,
     ToolStatus.UNDER_REVIEW, "", (3, 12), None, None, False, None),
    ("Flip", "Microsoft", "https://info.flip.com/", ToolCategory.VIDEO, False,
     ToolStatus.RETIRED, "", (0, 12), None, None, False, None),
]  # fmt: skip


def _load_tools(district: District, today: datetime.date) -> None:
    """The district's list in every state, decided by whom its policy names, plus a request waiting."""
    superintendent = _user(district, "superintendent")
    director = _user(district, "director")
    capacity = access.decision_capacities(superintendent, district, ApprovalPower.TOOLS)[0]
    reference = "Board minutes, August 10, 2026, item 6" if capacity == DecidedAs.SCHOOL_BOARD else ""
    for (name, vendor, website, category, public, status, conditions, grades, minimum_age, agreement_days,
         consent, review_days) in DEMO_TOOLS:  # fmt: skip
        tool = services.tool_save(
            acting_user=director,
            tool=Tool(
                district=district,
                name=name,
                vendor=vendor,
                website=website,
                category=category,
                is_public_social_media=public,
                lowest_grade=grades[0],
                highest_grade=grades[1],
                minimum_age=minimum_age,
                privacy_agreement_on_file=agreement_days is not None,
                privacy_agreement_expires_on=today + datetime.timedelta(days=agreement_days)
                if agreement_days is not None
                else None,
                parental_consent_required=consent,
            ),
        )
        if status in (ToolStatus.APPROVED, ToolStatus.APPROVED_WITH_CONDITIONS, ToolStatus.NOT_APPROVED):
            services.tool_decide(
                acting_user=superintendent,
                tool=tool,
                status=status,
                decided_as=capacity,
                conditions=conditions,
                reference=reference,
            )
            if review_days is not None:  # spread the reviews out, as after years of decisions
                tool.next_review_on = today + datetime.timedelta(days=review_days)
                tool._history_user = superintendent
                tool._change_reason = "Review date set from the previous review"
                tool.save(update_fields=["next_review_on"])
        elif status == ToolStatus.RETIRED:
            services.tool_set_aside(
                acting_user=director, tool=tool, status=status, reason="The vendor closed the service."
            )
    if access.approver_for(district, ApprovalPower.TOOLS) == Approver.SUPERINTENDENT_OR_DESIGNEE:
        services.designee_add(
            acting_user=superintendent,
            district=district,
            user=director,
            power=ApprovalPower.TOOLS,
            note="Letter of August 3, 2026: the Director of Technology keeps and decides the tool list.",
        )
    district_page = SocialAccount.objects.filter(district=district, owner_kind=OwnerKind.DISTRICT).first()
    logo_capacity = access.decision_capacities(superintendent, district, ApprovalPower.LOGO_USE)
    if district_page is not None and logo_capacity:
        services.logo_permission_grant(
            acting_user=superintendent,
            account=district_page,
            decided_as=logo_capacity[0],
            granted_by_name=f"{superintendent.full_name}, Superintendent",
            granted_on=today - datetime.timedelta(days=180),
            written_as=LogoPermissionForm.LETTER,
            reference="Signed letter, kept in the communications office's social media binder.",
        )
    school = district.schools.order_by("code").first()
    services.tool_request_submit(
        acting_user=_user(district, "teacher3.s1"),
        tool_request=ToolRequest(
            tool_name="Book Creator",
            website="https://bookcreator.com/",
            purpose="Students write and illustrate e-books about local history.",
            students="My two 10th-grade history classes, about 50 students.",
            school=school,
            lowest_grade=10,
            highest_grade=10,
        ),
    )
    services.tool_request_submit(
        acting_user=_user(district, "teacher1.s1"),
        tool_request=ToolRequest(
            tool_name="Padlet",
            website="https://padlet.com/",
            purpose="A shared board for lab observations.",
            students="My 9th-grade biology sections.",
            school=school,
            lowest_grade=9,
            highest_grade=9,
        ),
    )
