"""Families answering on their consent link (no account), and the staff pages that send the links.

The family's page shows their child's first name, the school and the district's questions, nothing
about any other student or any other guardian's answers; it is never cached, and each opening is
logged like any view of a student's consent status."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.models import ProgramMembership, Relationship, School, Student
from consent import access, family_form, family_links, selectors, services
from consent.models import ConsentRecord, ConsentScope, FamilyLink
from core.csv_response import csv_response
from core.languages import family_language, supported
from tools import access as tool_access
from tools import selectors as tool_selectors

FAMILY_TEMPLATE = "family/answer.html"
# How the signer is related to the student, in the family's language (the roster's roles).
RELATIONSHIPS = [
    (Relationship.PARENT.value, gettext_lazy("Parent")),
    (Relationship.GUARDIAN.value, gettext_lazy("Guardian")),
    (Relationship.RELATIVE.value, gettext_lazy("Relative")),
]


def _client_address(request: HttpRequest) -> str:
    return str(get_adapter(request).get_client_ip(request) or "")


def _language(request: HttpRequest, link: FamilyLink | None) -> str:
    """The language the visitor chose on the page, else the guardian's from the roster, else the browser's."""
    chosen = supported(str(request.GET.get("language") or request.POST.get("language") or ""))
    if chosen:
        return chosen
    return family_language(link.guardian if link else None, getattr(request, "LANGUAGE_CODE", ""))


def _unavailable(request: HttpRequest, reason: str, link: FamilyLink | None, status: int) -> HttpResponse:
    language = _language(request, link)
    with translation.override(language):
        response = render(
            request,
            "family/unavailable.html",
            {
                "reason": reason,
                "school": link.student.school if link else None,
                "district": link.district if link else None,
                "language": language,
            },
            status=status,
        )
    return response


def _form_version(scopes: list[ConsentScope], school_year_label: str) -> str:
    """Which wording: the school year and when the district last changed any of its questions."""
    changed = ConsentScope.history.filter(id__in=[s.pk for s in scopes]).aggregate(last=Max("history_date"))["last"]
    return f"{school_year_label}/{changed:%Y%m%d%H%M}" if changed else school_year_label


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    address = _client_address(request)
    if family_links.turned_away(address):
        return _unavailable(request, "busy", None, 429)
    link = family_links.link_from_token(token)
    if link is None:
        family_links.note_failure(address)
        return _unavailable(request, "unknown", None, 404)
    if not link.is_usable():
        return _unavailable(request, "revoked" if link.revoked_at else "expired", link, 410)
    language = _language(request, link)
    with translation.override(language):
        scopes = selectors.family_link_scopes(link)
        texts = [family_form.scope_text(scope, language) for scope in scopes]
        school_year = link.district.school_year_for(timezone.localdate())
        if school_year.start_year != link.school_year:
            school_year = school_year.next() if school_year.start_year < link.school_year else school_year
        place = {"name": link.student.first_name, "school": link.student.school.name, "year": school_year.label}
        if link.participation_scope_id:
            heading = _("May %(name)s take part? %(school)s, school year %(year)s") % place
        else:
            heading = _("Photos of %(name)s at %(school)s, school year %(year)s") % place
        text = family_form.full_text(texts, heading)
        version = _form_version(scopes, school_year.label)
        errors: dict[str, list[str]] = {}
        submitted: dict[str, str] = {}
        if request.method == "POST":
            submitted = {key: str(value)[:300] for key, value in request.POST.items()}
            given = services.FamilyAnswers(
                answers={
                    scope.pk: submitted[f"scope_{scope.pk}"] == "yes"
                    for scope in scopes
                    if submitted.get(f"scope_{scope.pk}") in ("yes", "no")
                },
                typed_name=str(request.POST.get("typed_name", ""))[:10_000],
                relationship=submitted.get("relationship", ""),
                language=language,
                text=text,
                version=version,
                signatures_seen=int(submitted.get("signatures_seen", "-1") or -1)
                if submitted.get("signatures_seen", "").isdigit()
                else -1,
                ip_address=address or None,
            )
            try:
                services.family_answers_record(link_id=link.pk, scopes=scopes, given=given)
            except ValidationError as error:
                errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            else:
                return redirect(f"{request.path}?language={language}&saved=1")
        else:
            services.family_link_opened(link=link)
        current = services.current_family_answers(link.student, scopes, given_by=link.guardian)
        questions = []
        for scope_text in texts:
            field = f"scope_{scope_text.scope.pk}"
            if submitted:
                checked = submitted.get(field, "")
            else:
                decision = current.get(scope_text.scope.pk)
                checked = "" if decision is None else ("yes" if decision == "granted" else "no")
            questions.append({"text": scope_text, "field": field, "checked": checked, "errors": errors.get(field, [])})
        # The summary names each question, so a list of "answer yes or no" says which.
        titles = {f"scope_{scope_text.scope.pk}": scope_text.title for scope_text in texts}
        summary = [
            (field, f"{titles[field]}: {message}" if field in titles else message)
            for field, messages in errors.items()
            for message in messages
        ]
        status = 400 if errors else 200
        return render(
            request,
            FAMILY_TEMPLATE,
            {
                "link": link,
                "student_first_name": link.student.first_name,
                "school": link.student.school,
                "district": link.district,
                "heading": heading,
                "questions": questions,
                "answered": bool(current) and link.answered_at is not None,
                "saved": request.GET.get("saved") == "1" and not errors,
                "errors": errors,
                "summary": summary,
                "error_count": sum(len(v) for v in errors.values()),
                "submitted": submitted,
                "relationships": [(value, str(label)) for value, label in RELATIONSHIPS],
                "signatures_seen": link.signatures.count(),
                "signing_statement": family_form.signing_statement(),
                "language": language,
                "languages": [("en", "English"), ("es", "Español")],
                "version": version,
            },
            status=status,
        )


# --- Staff: sending the links --------------------------------------------------------------------


def _chosen_students(school: School, data: Any, school_year: int) -> QuerySet[Student]:
    students = Student.objects.filter(school=school, active=True).select_related("school", "district")
    grade = str(data.get("grade", "")).strip()[:10]
    if grade:
        students = students.filter(grade=grade)
    program = str(data.get("program", "")).strip()
    if program.isdigit():
        students = students.filter(
            Exists(
                ProgramMembership.objects.filter(program_id=int(program), student=OuterRef("pk"), ended_on__isnull=True)
            )
        )
    if data.get("unanswered"):
        answered = ConsentRecord.objects.filter(student=OuterRef("pk"), school_year=school_year)
        students = students.exclude(Exists(answered))
    return students.order_by("last_name", "first_name", "pk")


def _links_csv(links: list[FamilyLink]) -> HttpResponseBase:
    header = ["Student", "Grade", "School", "Guardian", "E-mail", "Phone", "Language", "Link", "Expires"]
    rows = (
        [
            link.student.full_name,
            link.student.grade,
            link.student.school.name,
            link.guardian.full_name,
            link.guardian.email,
            link.guardian.phone,
            family_language(link.guardian),
            family_links.address_for(link),
            timezone.localtime(link.expires_at).date().isoformat(),
        ]
        for link in links
    )
    return csv_response("family-consent-links.csv", header, rows)


def _letters(request: HttpRequest, links: list[FamilyLink]) -> HttpResponse:
    import segno

    letters = []
    for link in links:
        address = family_links.address_for(link)
        language = family_language(link.guardian)
        with translation.override(language):
            letters.append(
                {
                    "link": link,
                    "address": address,
                    "language": language,
                    "qr": segno.make(address, error="m").svg_inline(scale=3, title=_("Code to scan with a phone")),
                    "expires_on": timezone.localtime(link.expires_at).date(),
                }
            )
    return render(request, "family/letters.html", {"letters": letters})


@login_required
@require_http_methods(["GET", "POST"])
def family_links_page(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    if not access.can_record_anywhere(request.user):
        raise PermissionDenied
    schools = access.recording_schools(request.user).filter(active=True).order_by("name")
    data = request.POST if request.method == "POST" else request.GET
    school = access.get_recording_school_for_user(request.user, data.get("school")) if data.get("school") else None
    district = school.district if school else request.user.district
    today = timezone.localdate()
    this_year = district.school_year_for(today) if district else None
    years = [this_year, this_year.next()] if this_year else []
    chosen_year = str(data.get("school_year", ""))
    school_year = next((y for y in years if str(y.start_year) == chosen_year), this_year)
    students = (
        _chosen_students(school, data, school_year.start_year) if school and school_year else Student.objects.none()
    )
    if request.method == "POST" and school is not None and school_year is not None:
        chosen = list(students)
        action = request.POST.get("action")
        if action == "send":
            scopes = selectors.active_scopes(school.district)
            sent = services.family_links_send(
                acting_user=request.user, students=chosen, school_year=school_year.start_year, scopes=scopes
            )
            messages.success(
                request,
                _(
                    "%(emailed)s e-mail(s) on their way to %(families)s families; %(paper)s families have no e-mail "
                    "address: print their letters or download the links."
                )
                % {"emailed": sent.emailed, "families": len(sent.links), "paper": len(sent.without_email)},
            )
            return redirect(f"{reverse('consent:family_links')}?{request.POST.urlencode()}")
        links = services.family_links_issue(
            acting_user=request.user, students=chosen, school_year=school_year.start_year
        )
        services.family_links_handed_out(
            acting_user=request.user, district=school.district, count=len(links), how=action or ""
        )
        if action == "csv":
            return _links_csv(links)
        if action == "letters":
            if not request.POST.get("everyone"):
                links = [link for link in links if not link.guardian.email]
            return _letters(request, links)
    summary = None
    if school is not None:
        families = services.guardian_counts(students)
        summary = {"students": students.count(), **families}
    programs = school.programs.filter(active=True).order_by("name") if school else []
    # The families' technology notice goes out from here too, to every family of the district at once.
    technology_notice = (
        tool_selectors.published_technology_notice(district, school_year.start_year)
        if district is not None
        and school_year is not None
        and tool_access.can_publish_technology_notice(request.user, district)
        else None
    )
    return render(
        request,
        "consent/family_links.html",
        {
            "technology_notice": technology_notice,
            "schools": schools,
            "school": school,
            "years": years,
            "school_year": school_year,
            "programs": programs,
            "data": data,
            "summary": summary,
        },
    )


@login_required
@require_http_methods(["POST"])
def family_link_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    link = access.get_family_link_for_user(request.user, pk)
    services.family_link_revoke(acting_user=request.user, link=link)
    messages.success(request, _("The link no longer works. Send the family a new one when they ask."))
    return redirect("consent:student", pk=link.student_id)
