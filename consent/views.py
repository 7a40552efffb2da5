"""Thin views over consent: resolve access through consent.access, ask consent.rules (through
the selectors) who may be posted, log that the list was seen, render."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import scope_for
from accounts.http import AuthenticatedHttpRequest
from accounts.models import District, Student, User
from accounts.selectors import student_search
from consent import access, importer, rules, selectors, services
from consent.forms import (
    PERSONAL,
    CheckForm,
    ImportForm,
    ListOptionsForm,
    PaperForm,
    RecordForm,
    SameAnswerForm,
    ScopeForm,
    StudentSearchForm,
)
from consent.history import scope_history
from consent.models import ConsentImportMapping, ConsentImportStatus, ConsentScope, ListKind, ListViewLog, ScopeKind
from core import bulk
from core.csv_response import csv_response
from core.history import history_page_number as page_number
from core.refusals import add_refusal, show_refusal
from core.sorting import SortColumns, Sorting

PAGE_SIZE = 100
SEARCH_RESULTS = 15
# The students' lists' sortable columns (core.sorting); consent_expired is rules.without_answer's.
STUDENT_SORTS: SortColumns = {"name": ["last_name", "first_name"], "grade": ["grade", "last_name", "first_name"]}
NO_ANSWER_SORTS: SortColumns = {**STUDENT_SORTS, "last_year": ["consent_expired", "last_name", "first_name"]}


def _home_district(user: User) -> District | None:
    """The district a page is about when a user works in one (everyone but operators)."""
    if user.district_id is not None:
        return user.district
    return District.objects.filter(pk__in=scope_for(user).district_ids()).first()


def _options(
    request: AuthenticatedHttpRequest, district: District
) -> tuple[ListOptionsForm, ConsentScope | None, bool, str]:
    scopes = selectors.active_scopes(district)
    form = ListOptionsForm(request.GET or None, scopes=scopes)
    valid = form.is_valid() if request.GET else False
    data = form.cleaned_data if valid else {}
    scope = selectors.default_scope(scopes, data["scope"].pk if data.get("scope") else None)
    return form, scope, bool(data.get("public_arena")), data.get("q", "")


def _do_not_post_page(
    request: AuthenticatedHttpRequest,
    *,
    district: District,
    students: QuerySet[Student],
    kind: str,
    subject: str,
    heading: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A do-not-post list for any group of students: a school, a program, an account."""
    form, scope, public_arena, query = _options(request, district)
    context: dict[str, Any] = {"form": form, "scope": scope, "public_arena": public_arena, "heading": heading}
    context.update(extra or {})
    if scope is None:
        return render(request, "consent/do_not_post.html", context)
    today = timezone.localdate()
    listed = selectors.do_not_post_list(student_search(students, query), scope, today, public_arena=public_arena)
    sorting = Sorting(request, STUDENT_SORTS, default="name")
    page = Paginator(sorting.apply(listed), PAGE_SIZE).get_page(request.GET.get("page"))
    services.list_view_record(user=request.user, district=district, kind=kind, subject=f"{subject}: {scope.name}")
    context.update(
        page=page,
        sorting=sorting,
        rows=[(student, rules.answer_of(student, scope, today, public_arena=public_arena)) for student in page],
        export_query=request.GET.urlencode(),
        today=today,
    )
    return render(request, "consent/do_not_post.html", context)


@login_required
def consent_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    district = _home_district(user)
    schools = access.status_schools(user).filter(active=True).select_related("district").order_by("name")
    own_programs = access.status_programs(user).filter(
        active=True, memberships__user=user, memberships__ended_on__isnull=True
    )
    return render(
        request,
        "consent/home.html",
        {
            "district": district,
            "schools": schools[:50],
            "school_count": schools.count(),
            "own_programs": own_programs.select_related("school").distinct()[:50],
            "scopes": selectors.active_scopes(district) if district else [],
            "can_record": access.can_record_anywhere(user),
            "can_import": district is not None and access.import_districts(user).filter(pk=district.pk).exists(),
            "can_manage": district is not None and access.can_manage(user, district),
        },
    )


@login_required
def school_do_not_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, pk)
    return _do_not_post_page(
        request,
        district=school.district,
        students=selectors.school_students(school),
        kind=ListKind.SCHOOL,
        subject=school.name,
        heading=school.name,
        extra={
            "school": school,
            "can_record": access.can_record(request.user, school),
            "export_url": reverse("consent:school_export", args=[school.pk]),
            "print_url": reverse("consent:school_print", args=[school.pk]),
        },
    )


@login_required
def program_do_not_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    program = access.get_program_for_user(request.user, pk)
    return _do_not_post_page(
        request,
        district=program.school.district,
        students=selectors.program_students(program),
        kind=ListKind.PROGRAM,
        subject=f"{program} at {program.school.name}",
        heading=str(program),
        extra={"program": program, "school": program.school},
    )


@login_required
def account_do_not_post(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk)
    return _do_not_post_page(
        request,
        district=account.district,
        students=access.account_students(request.user, account),
        kind=ListKind.ACCOUNT,
        subject=f"{account.display_name} ({account.platform.name})",
        heading=account.display_name,
        extra={"account": account},
    )


EXPORT_COLUMNS = ["Student id", "Last name", "First name", "Grade", "School", "Programs", "Consent for", "Why"]


@login_required
def school_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    school = access.get_school_for_user(request.user, pk)
    _, scope, public_arena, query = _options(request, school.district)
    if scope is None:
        return redirect("consent:school_do_not_post", pk=school.pk)
    today = timezone.localdate()
    listed = selectors.do_not_post_list(
        student_search(selectors.school_students(school), query), scope, today, public_arena=public_arena
    )
    services.list_view_record(
        user=request.user, district=school.district, kind=ListKind.EXPORT, subject=f"{school.name}: {scope.name}"
    )
    rows = (
        [
            student.sis_id,
            student.last_name,
            student.first_name,
            student.grade,
            school.name,
            "; ".join(membership.program.name for membership in student.current_programs),
            scope.name,
            rules.answer_of(student, scope, today, public_arena=public_arena).reason,
        ]
        for student in listed.iterator(chunk_size=2000)
    )
    return csv_response(f"do-not-post-{school.pk}-{scope.kind}-{today.isoformat()}.csv", EXPORT_COLUMNS, rows)


@login_required
def school_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, pk)
    _, scope, public_arena, _ = _options(request, school.district)
    if scope is None:
        return redirect("consent:school_do_not_post", pk=school.pk)
    today = timezone.localdate()
    services.list_view_record(
        user=request.user, district=school.district, kind=ListKind.SCHOOL_PRINT, subject=f"{school.name}: {scope.name}"
    )
    sections = selectors.print_sections(school, scope, today, public_arena=public_arena)
    return render(
        request,
        "consent/print.html",
        {
            "school": school,
            "scope": scope,
            "public_arena": public_arena,
            "today": today,
            "sections": [
                (title, [(s, rules.answer_of(s, scope, today, public_arena=public_arena)) for s in students])
                for title, students in sections
            ],
        },
    )


@login_required
def no_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    school = access.get_recording_school_for_user(request.user, pk)
    form, scope, _arena, query = _options(request, school.district)
    context: dict[str, Any] = {"school": school, "form": form, "scope": scope}
    if scope is not None:
        today = timezone.localdate()
        listed = selectors.no_answer_list(student_search(selectors.school_students(school), query), scope, today)
        services.list_view_record(
            user=request.user, district=school.district, kind=ListKind.NO_ANSWER, subject=f"{school.name}: {scope.name}"
        )
        if request.GET.get("format") == "csv":
            return csv_response(
                f"no-answer-{school.pk}-{scope.kind}-{today.isoformat()}.csv",
                ["Student id", "Last name", "First name", "Grade", "Consent for", "Answered in an earlier year"],
                (
                    [s.sis_id, s.last_name, s.first_name, s.grade, scope.name, "yes" if s.consent_expired else ""]
                    for s in listed.iterator(chunk_size=2000)
                ),
            )
        sorting = Sorting(request, NO_ANSWER_SORTS, default="name")
        context.update(
            page=Paginator(sorting.apply(listed), PAGE_SIZE).get_page(request.GET.get("page")),
            sorting=sorting,
            school_year=school.district.school_year_for(today),
            export_query=request.GET.urlencode(),
            bulk_actions=[(reverse("consent:no_answer_record", args=[school.pk]), _("Record the same answer…"))],
            bulk_filters=[("scope", str(scope.pk))] + ([("q", query)] if query else []),
        )
    return render(request, "consent/no_answer.html", context)


NO_ANSWER_FILTERS = ("scope", "q")


@login_required
def no_answer_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The same answer for several students of the "no answer" list: what will be recorded (GET),
    then recording it for each (POST). "All matching" is the list, read again now."""
    school = access.get_recording_school_for_user(request.user, pk)
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    scope = _scope_of(school.district, data.get("scope"))
    context: dict[str, Any] = {
        "school": school,
        "scope": scope,
        "form": SameAnswerForm(request.POST if posted else None),
    }
    context["back"] = reverse("consent:no_answer", args=[school.pk])
    today = timezone.localdate()
    try:
        selection = bulk.selection_from(data, NO_ANSWER_FILTERS)
        students = selectors.school_students(school).select_related("school", "district")
        listed = selectors.no_answer_list(student_search(students, str(data.get("q", ""))[:100]), scope, today)
        chosen = bulk.chosen(selection, matching=listed, visible=students.order_by("last_name", "first_name", "pk"))
    except bulk.TooMany as error:
        return render(request, "consent/no_answer_record.html", {**context, "refusal": error.message}, status=400)
    context.update(selection=selection, back=f"{context['back']}?{selection.filter_query()}")
    form = context["form"]
    if posted and form.is_valid():
        context["result"] = services.consent_record_many(
            acting_user=request.user, students=chosen, scope=scope, **form.cleaned_data
        )
    else:
        answered = services.already_answered(chosen, scope, today)
        refusal = _("Already has an answer for this consent.")
        context["preview"] = bulk.preview(chosen, lambda student: refusal if student.pk in answered else None)
        context["way"] = bulk.way_of(services.CONSENT_RECORD_ALL_OR_NOTHING)
    return render(request, "consent/no_answer_record.html", context)


def _scope_of(district: District, pk: object) -> ConsentScope:
    """The list's scope, or the district's first (the list's own default); 404 when it has none."""
    scope = selectors.default_scope(selectors.active_scopes(district), pk)
    if scope is None:
        raise Http404
    return scope


@login_required
def quick_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """“May I post this student?” for any staff member, about students of their own school, and
    where: any use (every list), an official account (by name), or a personal site."""
    district = _home_district(request.user)
    own_accounts = list(access.posting_accounts(request.user)[:50])
    form = CheckForm(request.GET or None, accounts=own_accounts)
    public_arena = request.GET.get("public_arena") == "on"
    wanted = request.GET.get("where", "")
    account = None
    if wanted.startswith("account:"):
        number = wanted.removeprefix("account:")
        if not number.isdigit():
            raise Http404
        account = access.get_account_for_user(request.user, int(number))
    results = None
    if district is not None and form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"]
        where = rules.Where.PERSONAL if wanted == PERSONAL else rules.Where.OFFICIAL
        scopes = selectors.active_scopes(district)
        if wanted:  # somewhere on social media: the scope that answers for it, when the district has one
            scopes = selectors.social_media_scopes(scopes) or scopes
        found = student_search(access.status_students(request.user).filter(active=True), query)
        found = found.select_related("school").order_by("last_name", "first_name", "pk")[:SEARCH_RESULTS]
        results = selectors.answers_for_students(found, scopes, public_arena=public_arena, where=where)
        services.list_view_record(
            user=request.user, district=district, kind=ListKind.CHECK, subject=f"search “{query[:100]}”"
        )
    template = "consent/_check_results.html" if request.htmx else "consent/check.html"
    return render(
        request,
        template,
        {
            "form": form,
            "results": results,
            "public_arena": public_arena,
            "account": account,
            "personal": wanted == PERSONAL,
        },
    )


@login_required
def record_entry(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clerk's page: find a student, record the answer, straight back to the search box."""
    if not access.can_record_anywhere(request.user):
        raise PermissionDenied
    form = StudentSearchForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        matching = student_search(access.recording_students(request.user).filter(active=True), form.cleaned_data["q"])
        found = list(matching.select_related("school").order_by("last_name", "first_name", "pk")[:SEARCH_RESULTS])
    template = "consent/_entry_results.html" if request.htmx else "consent/entry.html"
    return render(request, template, {"form": form, "found": found})


def _paper_form(request: AuthenticatedHttpRequest, student: Student) -> PaperForm:
    district = student.district
    received_on = timezone.localdate()
    if request.method != "POST" and request.GET.get("received_on"):  # the date typed: its school years
        with contextlib.suppress(ValueError):
            received_on = datetime.date.fromisoformat(request.GET["received_on"])
    return PaperForm(
        request.POST if request.method == "POST" else None,
        scopes=selectors.active_scopes(district),
        start_month=district.school_year_start_month,
        received_on=received_on,
    )


@login_required
def paper_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A whole paper form in one save: every consent on it, then straight back to the search box."""
    student = access.get_student_for_user(request.user, pk)
    if not access.can_record(request.user, student.school):
        raise PermissionDenied
    form = _paper_form(request, student)
    if request.method == "POST" and form.is_valid():
        try:
            records = services.consent_form_record(
                acting_user=request.user,
                student=student,
                answers=form.answers(),
                received_on=form.cleaned_data["received_on"],
                school_year=form.cleaned_data["school_year"],
                guardian_name=form.cleaned_data["guardian_name"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            # An answer refused for its scope, or a date the service refuses: nothing was recorded.
            add_refusal(form, error, aliases={"scope": None, "decision": None})
        else:
            messages.success(
                request,
                ngettext(
                    "Recorded %(count)d answer for %(name)s.", "Recorded %(count)d answers for %(name)s.", len(records)
                )
                % {"count": len(records), "name": student.full_name},
            )
            return redirect("consent:record_entry")
    # Shown (first visit, or again after a refused form): a student's consent was looked up.
    services.list_view_record(
        user=request.user,
        district=student.district,
        kind=ListKind.STUDENT,
        subject="a student's paper form",
        student=student,
    )
    context = {"student": student, "paper": form, "form": StudentSearchForm()}
    if request.htmx and request.method != "POST":
        return render(request, "consent/_paper_form.html", context)
    return render(request, "consent/entry.html", context)


@login_required
def student_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = access.get_student_for_user(request.user, pk)
    scopes = selectors.active_scopes(student.district)
    can_record = access.can_record(request.user, student.school)
    this_year = student.district.school_year_for(timezone.localdate())
    form = RecordForm(request.POST or None, scopes=scopes, school_years=[this_year, this_year.next()])
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                record = services.consent_record(
                    acting_user=request.user,
                    student=student,
                    scope=form.cleaned_data["scope"],
                    decision=form.cleaned_data["decision"],
                    received_on=form.cleaned_data["received_on"],
                    received_by=form.cleaned_data["received_by"],
                    guardian_name=form.cleaned_data["guardian_name"],
                    note=form.cleaned_data["note"],
                    school_year=form.cleaned_data["school_year"],
                )
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Recorded for %(name)s: %(scope)s — %(decision)s.")
                    % {"name": student.full_name, "scope": record.scope, "decision": record.get_decision_display()},
                )
                if request.POST.get("next") == "entry":
                    return redirect("consent:record_entry")
                return redirect("consent:student", pk=student.pk)
    # Shown (first visit, or again after a refused answer): the student's status was seen.
    services.list_view_record(
        user=request.user,
        district=student.district,
        kind=ListKind.STUDENT,
        subject="a student's consent page",
        student=student,
    )
    return render(
        request,
        "consent/student.html",
        {
            "student": student,
            "answers": selectors.answers_for_student(student, scopes),
            "records": selectors.record_history(student),
            "form": form if can_record else None,
            # Who answered and the family's notes are for those who record answers (minimum necessary).
            "show_family_details": can_record,
            "family_links": selectors.family_links_of(student) if can_record else [],
            "from_entry": request.GET.get("from") == "entry" or request.POST.get("next") == "entry",
        },
    )


# --- Import -------------------------------------------------------------------------------


def _saved_mapping(district: District, scopes: list[ConsentScope]) -> importer.ColumnMapping | None:
    saved = ConsentImportMapping.objects.filter(district=district).first()
    return importer.ColumnMapping.from_json(saved.columns).for_scopes(scopes) if saved else None


@login_required
def import_upload(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_import_district_for_user(request.user, slug)
    scopes = selectors.active_scopes(district)
    form = ImportForm(
        request.POST or None, request.FILES or None, scopes=scopes, mapping=_saved_mapping(district, scopes)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = None
        if form.district_layout:
            mapping = form.mapping()
            services.consent_import_mapping_save(acting_user=request.user, district=district, mapping=mapping)
        consent_import = services.consent_import_check(
            acting_user=request.user, district=district, file_name=upload.name, data=upload.read(), mapping=mapping
        )
        return redirect(consent_import)
    recent = district.consent_imports.select_related("uploaded_by")
    if not access.can_manage(request.user, district):
        recent = recent.filter(uploaded_by=request.user)
    return render(
        request,
        "consent/import_upload.html",
        {"district": district, "form": form, "recent": recent[:20], "columns": importer.COLUMNS, "scopes": scopes},
    )


@login_required
def import_template(request: AuthenticatedHttpRequest, slug: str) -> HttpResponseBase:
    """An empty file with the district's headers (its saved columns, else the standard names): one
    column per consent, filled in and uploaded as the district's export."""
    district = access.get_import_district_for_user(request.user, slug)
    scopes = selectors.active_scopes(district)
    mapping = _saved_mapping(district, scopes) or importer.ColumnMapping.default(scopes)
    return csv_response(f"consent-answers-{district.slug}.csv", mapping.headers(scopes), [])


@login_required
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consent_import = access.get_import_for_user(request.user, pk)
    if request.method == "POST":
        try:
            recorded = services.consent_import_apply(acting_user=request.user, consent_import=consent_import)
        except services.ImportOutOfDate:
            messages.error(
                request, _("Answers changed since this file was checked. Nothing was recorded: upload it again.")
            )
        except ValidationError as error:
            show_refusal(request, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Recorded %(count)d answer from %(file)s.", "Recorded %(count)d answers from %(file)s.", recorded
                )
                % {"count": recorded, "file": consent_import.file_name},
            )
        return redirect(consent_import)
    rows = [importer.PlannedRow.from_dict(row) for row in consent_import.plan]
    shown = rows[:200]
    if shown:  # the preview names students beside the answers the file gives them
        services.list_view_record(
            user=request.user,
            district=consent_import.district,
            kind=ListKind.IMPORT_PREVIEW,
            subject=f"consent file {consent_import.file_name}",
        )
    students = Student.objects.in_bulk([row.student_id for row in shown])
    scopes = {scope.pk: scope for scope in ConsentScope.objects.filter(district=consent_import.district)}
    effects: dict[str, int] = {}
    for row in rows:
        effects[row.effect] = effects.get(row.effect, 0) + 1
    return render(
        request,
        "consent/import_detail.html",
        {
            "consent_import": consent_import,
            "rows": [(row, students.get(row.student_id), scopes.get(row.scope_id)) for row in shown],
            "row_count": len(rows),
            "to_record": sum(1 for row in rows if row.records),
            "effects": sorted(effects.items()),
            "can_apply": consent_import.status == ConsentImportStatus.PREVIEWED,
        },
    )


# --- Settings and the privacy log ---------------------------------------------------------------


@login_required
def scope_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    if request.method == "POST":
        created = services.consent_scopes_set_up(acting_user=request.user, district=district)
        messages.success(
            request,
            ngettext("Added %(count)d standard scope.", "Added %(count)d standard scopes.", len(created))
            % {"count": len(created)},
        )
        return redirect("consent:scope_list", slug=district.slug)
    return render(
        request,
        "consent/scope_list.html",
        {
            "district": district,
            "scopes": ConsentScope.objects.filter(district=district)
            .exclude(kind=ScopeKind.PARTICIPATION)
            .select_related("district"),
        },
    )


@login_required
def scope_edit(request: AuthenticatedHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    if pk is not None:
        scope = access.get_scope_for_user(request.user, pk)
    else:  # a new scope starts with the rule the policy profile gives it
        scope = ConsentScope(district=district, kind=ScopeKind.OTHER)
        for name, value in (scope.policy_values() or {}).items():
            setattr(scope, name, value)
    if scope.district_id != district.pk:
        raise PermissionDenied
    form = ScopeForm(request.POST or None, instance=scope)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_scope_save(acting_user=request.user, scope=form.save(commit=False))
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Saved “%(name)s”.") % {"name": scope.name})
            return redirect("consent:scope_list", slug=district.slug)
    history = scope_history(scope, number=page_number(request)) if scope.pk else None
    return render(
        request, "consent/scope_form.html", {"district": district, "form": form, "scope": scope, "history": history}
    )


@login_required
def privacy_log(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    entries = ListViewLog.objects.filter(district=district).select_related("user", "student")
    return render(
        request,
        "consent/privacy_log.html",
        {"district": district, "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))},
    )
