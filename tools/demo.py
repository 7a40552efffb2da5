"""The demo districts' approved-tool lists, in every state, decided by whom each policy names, with
a designee where the policy allows one and requests waiting. Loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Approver, District, User
from core.history import attribute
from tools import access, services
from tools.models import ApprovalPower, DecidedAs, Tool, ToolCategory, ToolRequest, ToolStatus

DEMO_DISTRICTS = ["willmar", "henning", "lakeshore", "bloomington", "litchfield"]


def _user(district: District, local: str) -> User:
    return User.objects.get(email=f"{local}@{district.slug}.example.org")


@transaction.atomic
def load_demo() -> None:
    today = timezone.localdate()
    for district in District.objects.filter(slug__in=DEMO_DISTRICTS):
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
    ("Facebook", "Meta", "https://www.facebook.com/", ToolCategory.SOCIAL_MEDIA, True,
     ToolStatus.APPROVED_WITH_CONDITIONS, "For the district's and schools' official pages only; no student "
     "accounts.", (None, None), 13, None, True, 180),
    ("X", "X Corp.", "https://x.com/", ToolCategory.SOCIAL_MEDIA, True,
     ToolStatus.APPROVED_WITH_CONDITIONS, "For official team and school news only; no student accounts.",
     (None, None), 13, None, True, 160),
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


# Which student data each provider holds (the families' technology notice lists these), and the file
# name of its signed agreement on the district's site.
STUDENT_DATA = {
    "Google Classroom": ("Students' names, school e-mail addresses, classes, assignments and grades.", "google"),
    "Seesaw": ("Students' names and classes, and the photos, videos and drawings they post to their journals.",
               "seesaw"),
    "Canva for Education": ("Students' names, school e-mail addresses and the designs they make.", "canva"),
    "Remind": ("Students' and parents' names and phone numbers, and their messages with teachers.", "remind"),
    "Kahoot!": ("Students' nicknames and their answers to quizzes.", "kahoot"),
    "Padlet": ("Students' names and the posts they add to class boards.", "padlet"),
}  # fmt: skip
# Demo districts that published this year's notice already (the others show it as owed).
NOTICE_PUBLISHED = ["willmar", "litchfield"]
# What each demo tool is used for (its description), so a search for "video" or "quiz" finds it.
DEMO_USES = {
    "Google Classroom": "Posting assignments, collecting student work and class announcements.",
    "Seesaw": "Student portfolios and class journals shared with families: photos, drawings and short videos.",
    "Canva for Education": "Designing posters, slides, infographics and short videos.",
    "YouTube": "Watching curated instructional videos; class video channels where authorized.",
    "Instagram": "A club's or team's photo and short-video posts about its activities.",
    "Facebook": "The district's and schools' official pages: news, events and closures for families.",
    "X": "Short news posts from official team and school accounts.",
    "Remind": "Text-message announcements to students and families.",
    "Kahoot!": "Game-based quizzes and review games in class.",
    "TikTok": "Short-form video sharing.",
    "Padlet": "Shared boards for collecting ideas, links and observations.",
    "Flip": "Short video responses to class discussion prompts.",
}


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
                description=DEMO_USES.get(name, ""),
                is_public_social_media=public,
                lowest_grade=grades[0],
                highest_grade=grades[1],
                minimum_age=minimum_age,
                privacy_agreement_on_file=agreement_days is not None,
                privacy_agreement_expires_on=today + datetime.timedelta(days=agreement_days)
                if agreement_days is not None
                else None,
                parental_consent_required=consent,
                student_data_held=STUDENT_DATA[name][0] if name in STUDENT_DATA else "",
                privacy_agreement_url=f"https://{district.slug}.example.org/privacy/{STUDENT_DATA[name][1]}.pdf"
                if name in STUDENT_DATA and agreement_days is not None
                else "",
            ),
        )
        if status in (ToolStatus.APPROVED, ToolStatus.APPROVED_WITH_CONDITIONS, ToolStatus.NOT_APPROVED):
            # The decided tool, not the copy saved before the decision: saving that copy would write a
            # history entry that puts the tool back under review.
            tool = services.tool_decide(
                acting_user=superintendent,
                tool=tool,
                status=status,
                decided_as=capacity,
                conditions=conditions,
                reference=reference,
            )
            if review_days is not None:  # spread the reviews out, as after years of decisions
                tool.next_review_on = today + datetime.timedelta(days=review_days)
                attribute(tool, superintendent, "Review date set from the previous review")
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
    if district.slug in NOTICE_PUBLISHED:
        services.technology_notice_publish(
            acting_user=director, district=district, school_year=district.school_year_for(today).start_year
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
