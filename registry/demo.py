"""Demo accounts for each demo district, in every state a director will meet. Loading twice changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.demo import seeded
from accounts.models import District, Program, ProgramKind, User
from registry import services
from registry.models import (
    AccountStatus,
    AdministratorRole,
    Audience,
    OwnerKind,
    Platform,
    RecoveryMethod,
    SocialAccount,
)
from registry.profile_urls import resolve_profile
from tools import access as tool_access
from tools.models import ApprovalPower, WrittenAs


def _user(district: District, local: str) -> User:
    return User.objects.get(email=f"{local}@{district.slug}.example.org")


def _details(display_name: str, kind: str, purpose: str, district: District, **extra: object) -> dict[str, Any]:
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
        school = seeded(district.schools.order_by("code").first(), "school")
        team = seeded(Program.objects.filter(school=school, kind=ProgramKind.TEAM).first(), "team")
        club = seeded(Program.objects.filter(school=school, kind=ProgramKind.CLUB).first(), "club")
        principal, teacher, coach = (_user(district, n) for n in ("principal.s1", "teacher1.s1", "coach.s1"))
        second_teacher = _user(district, "teacher2.s1")
        slug = district.slug

        def register(
            platform: str,
            url: str,
            details: dict[str, Any],
            admins: list[services.Designation],
            launched_ago_days: int | None,
            district: District = district,
            director: User = director,
        ) -> SocialAccount:
            launched_on = today - datetime.timedelta(days=launched_ago_days) if launched_ago_days else None
            acknowledging = district.administrator_acknowledgement_required
            account = services.account_register(
                acting_user=director,
                district=district,
                platform=Platform.objects.get(slug=platform),
                address=resolve_profile(platform, url=url),
                details=details,
                administrators=admins,
                # A live page whose administrators must acknowledge first stays approved until they have.
                launched_on=launched_on,
            )
            if acknowledging:
                # Where the policy requires it (458, 547), the administrators acknowledge the
                # guidelines before the page goes live on them.
                designated = account.administrators.filter(ends_on__isnull=True).select_related("user")
                for designation in designated:
                    services.administrator_acknowledge_policy(acting_user=designation.user, administrator=designation)
                if launched_on is not None and account.status == AccountStatus.APPROVED:
                    if account.needs_communications_review:
                        # Staged demo data (update() writes no history): the page was live before the
                        # registry, so the office's review is missing rather than due before launch,
                        # which is what the 458 demo shows (launch itself refuses an unseen page).
                        SocialAccount.objects.filter(pk=account.pk).update(
                            status=AccountStatus.ACTIVE,
                            launched_on=launched_on,
                            next_review_on=account.review_due_after(today),
                        )
                        account.refresh_from_db()
                    else:
                        account = services.account_activate(
                            acting_user=director, account=account, launched_on=launched_on
                        )
            return account

        district_page = register(
            "facebook",
            f"https://www.facebook.com/{slug}publicschools",
            _details(
                f"{district.name.split(' (')[0]}", OwnerKind.DISTRICT, "District news, closings and events.", district
            ),
            _designations((communications, AdministratorRole.PRIMARY), (director, AdministratorRole.BACKUP)),
            200,
        )
        school_page = register(
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
        # Under 458 the communications office has seen the pages that were live before the registry;
        # the club's video channel below it never saw, so its list shows one.
        if district.communications_review_before_launch:
            for page in (district_page, school_page, soccer):
                services.account_confirm_communications(acting_user=communications, account=page)
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
        # On TikTok, unless the district's policy keeps official accounts off networks its tool list
        # does not approve (4118.51; the demo lists TikTok as not approved): then on Instagram.
        network = "instagram" if district.official_accounts_on_approved_networks_only else "tiktok"
        library = {
            "tiktok": f"https://www.tiktok.com/@{slug}_{school.pk}_library",
            "instagram": f"https://www.instagram.com/{slug}_{school.pk}_library/",
        }[network]
        request = services.account_request(
            acting_user=second_teacher,
            platform=Platform.objects.get(slug=network),
            address=resolve_profile(network, url=library),
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
        _grant_logo(district, today)


def _grant_logo(district: District, today: datetime.date) -> None:
    """The district's own page has the Superintendent's written permission to use the logo, where the
    policy provides one (458 and 4118.51 do not)."""
    if not district.logo_permission_required:
        return
    superintendent = _user(district, "superintendent")
    district_page = SocialAccount.objects.filter(district=district, owner_kind=OwnerKind.DISTRICT).first()
    logo_capacity = tool_access.decision_capacities(superintendent, district, ApprovalPower.LOGO_USE)
    if district_page is not None and logo_capacity:
        services.account_logo_permission_grant(
            acting_user=superintendent,
            account=district_page,
            decided_as=logo_capacity[0],
            granted_by_name=f"{superintendent.full_name}, Superintendent",
            granted_on=today - datetime.timedelta(days=180),
            written_as=WrittenAs.LETTER,
            reference="Signed letter, kept in the communications office's social media binder.",
        )
