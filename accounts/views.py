"""Thin views: resolve access through accounts.access, call one service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import access, pickers, selectors, services
from accounts.filters import SCHOOL_SORTS, STAFF_SORTS, STUDENT_SORTS, MembershipFilter, StaffFilter, StudentFilter
from accounts.forms import (
    EmploymentForm,
    PolicyDocumentForm,
    PolicyProfileForm,
    RoleGrantForm,
    RosterSyncForm,
    RosterUploadForm,
    SchoolByHandForm,
    SchoolSearchForm,
    SignInSettingsForm,
    StaffByHandForm,
)
from accounts.history import district_history, staff_history
from accounts.http import AuthenticatedHttpRequest
from accounts.models import (
    DisclosureRecipient,
    District,
    Membership,
    PolicyDocument,
    ProgramMembership,
    RosterSync,
    User,
)
from core import bulk
from core.csv_response import csv_response
from core.history import history_page_number as page_number
from core.pagination import page_of
from core.refusals import add_refusal, show_refusal
from core.sorting import Sorting

PAGE_SIZE = 50


# --- Sign-in address --------------------------------------------------------------------


@login_required
@require_safe
def email_addresses(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where django-allauth would let anyone add or switch their sign-in address (a borrowed
    session would become a permanent takeover), this page says who changes it: the roster, or the
    district's technology director."""
    user = request.user
    return render(
        request,
        "account/email_closed.html",
        {"directors": selectors.technology_directors(user.district)},
    )


# --- District and policy profile -------------------------------------------------------


@login_required
def district_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_district_for_user(request.user, slug)
    form = PolicyProfileForm(instance=district)
    return render(
        request,
        "accounts/district_detail.html",
        {
            "district": district,
            "form": form,
            "can_edit": access.can_edit_policy(request.user, district),
            "can_manage": access.can_manage_directory(request.user, district),
            "history": district_history(district, number=page_number(request)),
        },
    )


@login_required
def district_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_district_for_user(request.user, slug)
    if not access.can_edit_policy(request.user, district):
        raise PermissionDenied
    form = PolicyProfileForm(
        request.POST or None,
        instance=district,
        reserved_powers_editable=access.can_change_reserved_powers(request.user, district),
    )
    if request.method == "POST" and form.is_valid():
        try:
            reserved = services.district_policy_save(
                acting_user=request.user,
                district=district,
                values={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            message = _("The policy profile was saved.")
            if reserved:
                message += " " + _("The district's superintendents are told who now decides reserved matters.")
            messages.success(request, message)
            return redirect(district)
    return render(request, "accounts/district_edit.html", {"district": district, "form": form})


@login_required
def policy_document_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The district's policy documents in force, and the versions they replaced: every staff member reads them."""
    district = access.get_district_for_user(request.user, slug)
    documents = PolicyDocument.objects.filter(district=district).select_related("district")
    return render(
        request,
        "accounts/policy_document_list.html",
        {
            "district": district,
            "current": list(documents.filter(current=True).order_by("number")),
            "earlier": documents.filter(current=False).order_by("number", "-recorded_at")[:50],
            "can_edit": access.can_edit_policy(request.user, district),
            "today": timezone.localdate(),
        },
    )


@login_required
def policy_document_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_district_for_user(request.user, slug)
    if not access.can_edit_policy(request.user, district):
        raise PermissionDenied
    form = PolicyDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.policy_document_record(
                acting_user=request.user,
                district=district,
                values={name: form.cleaned_data[name] for name in services.POLICY_DOCUMENT_FIELDS},
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Recorded %(document)s.") % {"document": document.version_label})
            return redirect("policy_document_list", slug=district.slug)
    return render(request, "accounts/policy_document_form.html", {"district": district, "form": form})


@login_required
def district_sign_in(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """How the district's staff sign in (Google, Microsoft, the district's provider, passwords) and
    how its e-mail looks: the technology director's settings."""
    district = access.get_managed_district_for_user(request.user, slug)
    form = SignInSettingsForm(request.POST or None, instance=District.objects.get(pk=district.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.district_sign_in_save(
                acting_user=request.user,
                district=district,
                values={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The sign-in settings were saved."))
            return redirect("district_sign_in", slug=district.slug)
    return render(
        request,
        "accounts/district_sign_in.html",
        {"district": district, "form": form, "providers": selectors.sign_in_providers(), "site_url": settings.SITE_URL},
    )


# --- Schools ---------------------------------------------------------------------------


@login_required
def school_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = access.visible_schools(request.user).filter(active=True)
    if request.GET.get("principal") == "missing":
        schools = selectors.without_principal(schools)
    search = SchoolSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        schools = schools.filter(name__icontains=query)
    sorting = Sorting(request, SCHOOL_SORTS, default="name")
    schools = selectors.schools_with_counts(schools).select_related("entered_by_hand_by")
    page = page_of(request, sorting.apply(schools), PAGE_SIZE)
    district = request.user.district
    can_add = district is not None and access.can_manage_directory(request.user, district)
    return render(
        request, "accounts/school_list.html", {"page": page, "query": query, "can_add": can_add, "sorting": sorting}
    )


def _directory_district(request: AuthenticatedHttpRequest) -> District:
    """The district whose directory the signed-in director keeps (403 for anyone else)."""
    district = request.user.district
    if district is None or not access.can_manage_directory(request.user, district):
        raise PermissionDenied
    return district


@login_required
def school_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A school added by hand between roster syncs; the next import matches it instead of adding it twice."""
    district = _directory_district(request)
    form = SchoolByHandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_create_by_hand(
                acting_user=request.user,
                district=district,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Added %(school)s by hand.") % {"school": school})
            return redirect(school)
    return render(request, "accounts/school_form.html", {"district": district, "form": form})


@login_required
def school_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, pk)
    school = (
        selectors.schools_with_counts(access.visible_schools(request.user))
        .select_related("entered_by_hand_by")
        .get(pk=school.pk)
    )
    leaders = (
        Membership.objects.filter(school=school, ended_on__isnull=True)
        .exclude(role="staff")
        .select_related("user")
        .order_by("role", "user__last_name")
    )
    programs = school.programs.filter(active=True).order_by("kind", "name")
    return render(
        request,
        "accounts/school_detail.html",
        {
            "school": school,
            "leaders": leaders,
            "programs": page_of(request, programs, PAGE_SIZE),
            "can_read_students": access.visible_students(request.user).filter(school=school).exists(),
            "can_manage": (can_manage := access.can_manage_directory(request.user, school.district)),
            "never_signed_in": selectors.school_staff(school).filter(last_login__isnull=True).count()
            if can_manage
            else 0,
        },
    )


# --- Staff -----------------------------------------------------------------------------


@login_required
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_read_staff_directory(request.user):
        raise PermissionDenied
    schools = access.visible_schools(request.user).filter(active=True).order_by("name")
    data = request.GET.copy()
    data.setdefault("is_active", "true")
    staff_filter = StaffFilter(
        data, queryset=access.visible_staff(request.user), schools=schools, district=request.user.district
    )
    sorting = Sorting(request, STAFF_SORTS, default="name")
    queryset = sorting.apply(staff_filter.qs.select_related("district", "entered_by_hand_by"))
    district = request.user.district
    can_invite = district is not None and access.can_manage_directory(request.user, district)
    return render(
        request,
        "accounts/staff_list.html",
        {
            "filter": staff_filter,
            "sorting": sorting,
            "page": page_of(request, queryset, PAGE_SIZE),
            "invite_district": district if can_invite else None,
            "never_signed_in": selectors.never_signed_in(district).count() if district and can_invite else 0,
            # Only where disclosures go to supervisors does a missing one leave a hole.
            "supervisor_filter": district is not None
            and district.disclosure_recipient == DisclosureRecipient.SUPERVISOR,
        },
    )


@login_required
def staff_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A staff member added by hand between roster syncs; the next import matches them by e-mail."""
    district = _directory_district(request)
    form = StaffByHandForm(request.POST or None, schools=district.schools.filter(active=True).order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.staff_create_by_hand(acting_user=request.user, district=district, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Added %(member)s by hand.") % {"member": member})
            return redirect(member)
    return render(request, "accounts/staff_form.html", {"district": district, "form": form})


@login_required
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_member_for_user(request.user, pk)
    district = member.district
    can_manage = district is not None and access.can_manage_directory(request.user, district)
    memberships = member.memberships.select_related("school").order_by("ended_on", "role")
    programs = ProgramMembership.objects.filter(user=member, ended_on__isnull=True).select_related("program__school")
    form = employment_form = None
    if district is not None and can_manage:
        form = RoleGrantForm(schools=district.schools.filter(active=True).order_by("name"))
        employment_form = EmploymentForm(member=member)
    supervisor_visible = (
        member.supervisor_id is not None and access.visible_staff(request.user).filter(pk=member.supervisor_id).exists()
    )
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "member": member,
            "memberships": memberships,
            "programs": programs,
            "form": form,
            "employment_form": employment_form,
            "supervisor_visible": supervisor_visible,
            "can_manage": can_manage,
            "can_remind": access.can_remind(request.user, member),
            "history": staff_history(member, number=page_number(request)),
        },
    )


@login_required
@require_POST
def staff_grant_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_member_for_user(request.user, pk)
    if member.district is None or not access.can_manage_directory(request.user, member.district):
        raise PermissionDenied
    form = RoleGrantForm(request.POST, schools=member.district.schools.filter(active=True))
    if form.is_valid():
        try:
            membership = services.membership_grant(
                acting_user=request.user,
                user=member,
                role=form.cleaned_data["role"],
                school=form.cleaned_data["school"],
            )
            messages.success(
                request, _("%(member)s is now %(membership)s.") % {"member": member, "membership": membership}
            )
        except ValidationError as error:
            show_refusal(request, error)
    else:
        messages.error(request, _("Choose a role (and a school for principals and clerks)."))
    return redirect(member)


@login_required
@require_POST
def staff_employment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_member_for_user(request.user, pk)
    if member.district is None or not access.can_manage_directory(request.user, member.district):
        raise PermissionDenied
    form = EmploymentForm(request.POST, member=member)
    if form.is_valid():
        try:
            services.staff_employment_update(
                acting_user=request.user,
                user=member,
                started_on=form.cleaned_data["started_on"],
                supervisor=form.cleaned_data["supervisor"],
            )
            messages.success(request, _("%(member)s's start date and supervisor were saved.") % {"member": member})
        except ValidationError as error:
            show_refusal(request, error)
    else:
        problems = [
            _("%(field)s: %(problem)s") % {"field": form.fields[name].label, "problem": message}
            for name, errors in form.errors.items()
            for message in errors
        ]
        messages.error(request, " ".join(problems))
    return redirect(member)


@login_required
@require_POST
def membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member_ids = access.visible_staff(request.user).values("pk")
    try:
        membership = Membership.objects.select_related("district", "user").get(pk=pk, user__in=member_ids)
    except Membership.DoesNotExist:
        raise Http404 from None
    services.membership_end(acting_user=request.user, membership=membership)
    messages.success(
        request, _("%(member)s is no longer %(membership)s.") % {"member": membership.user, "membership": membership}
    )
    return redirect(membership.user)


# --- The roles list, and ending several roles at once (core.bulk) ---------------------------------

ROLE_FILTERS = ("q", "role", "school")


def _roles(request: AuthenticatedHttpRequest, data: QueryDict) -> MembershipFilter:
    """The district's current roles the director may end, filtered as `data` says."""
    district = request.user.district
    if district is None or not access.can_manage_directory(request.user, district):
        raise PermissionDenied
    current = access.visible_memberships(request.user).filter(district=district, ended_on__isnull=True)
    return MembershipFilter(
        data,
        queryset=current.select_related("user", "school", "district").order_by(
            "user__last_name", "user__first_name", "role", "pk"
        ),
        schools=access.visible_schools(request.user).filter(active=True).order_by("name"),
    )


@login_required
def membership_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    roles = _roles(request, request.GET)
    return render(
        request,
        "accounts/membership_list.html",
        {
            "filter": roles,
            "page": page_of(request, roles.qs, PAGE_SIZE),
            "bulk_actions": [(reverse("membership_bulk_end"), _("End the roles…"))],
            "bulk_filters": [(name, value) for name, value in request.GET.items() if name in ROLE_FILTERS and value],
        },
    )


@login_required
def membership_bulk_end(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The roles chosen on the list: which will end (GET), then ending them all or none (POST)."""
    data = request.POST if request.method == "POST" else request.GET
    roles = _roles(request, data)
    context: dict[str, object] = {"back": reverse("membership_list")}
    try:
        selection = bulk.selection_from(data, ROLE_FILTERS)
        memberships = bulk.chosen(
            selection,
            matching=roles.qs,
            visible=access.visible_memberships(request.user).select_related("user", "school", "district"),
        )
    except bulk.TooMany as error:
        return render(request, "accounts/membership_bulk.html", {**context, "refusal": error.message}, status=400)
    context.update(selection=selection, back=f"{context['back']}?{selection.filter_query()}")
    if request.method == "POST":
        context["result"] = services.membership_end_many(acting_user=request.user, memberships=memberships)
    else:
        context["preview"] = bulk.preview(
            memberships, lambda membership: services.membership_end_refusal(request.user, membership)
        )
        context["way"] = bulk.way_of(services.MEMBERSHIP_END_ALL_OR_NOTHING)
    return render(request, "accounts/membership_bulk.html", context)


@login_required
@require_POST
def staff_set_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_member_for_user(request.user, pk)
    try:
        if request.POST.get("active") == "true":
            services.staff_reactivate(acting_user=request.user, user=member)
            messages.success(request, _("%(member)s is active again.") % {"member": member})
        else:
            services.staff_deactivate(acting_user=request.user, user=member)
            messages.success(request, _("%(member)s was deactivated and their roles ended.") % {"member": member})
    except ValidationError as error:
        show_refusal(request, error)
    return redirect(member)


# --- Invitations -----------------------------------------------------------------------------


def _invited(request: AuthenticatedHttpRequest, count: int, asked: int) -> None:
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s invitation will be sent by e-mail now.",
                "%(count)s invitations will be sent by e-mail now.",
                count,
            )
            % {"count": count},
        )
    if (already := asked - count) > 0:
        messages.info(
            request,
            ngettext(
                "%(count)s already had an invitation today: they get no second one.",
                "%(count)s already had an invitation today: they get no second one.",
                already,
            )
            % {"count": already},
        )
    if not asked:
        messages.info(request, _("Everyone here has signed in already: nobody to invite."))


@login_required
@require_POST
def staff_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_staff_member_for_user(request.user, pk)
    if member.district is None or not access.can_manage_directory(request.user, member.district):
        raise PermissionDenied
    people = User.objects.filter(pk=member.pk)
    _invited(request, services.staff_invite(acting_user=request.user, district=member.district, people=people), 1)
    return redirect(member)


@login_required
@require_POST
def school_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everyone at the school who has never signed in."""
    school = access.get_school_for_user(request.user, pk)
    if not access.can_manage_directory(request.user, school.district):
        raise PermissionDenied
    people = selectors.school_staff(school).filter(last_login__isnull=True)
    asked = people.count()
    _invited(request, services.staff_invite(acting_user=request.user, district=school.district, people=people), asked)
    return redirect(school)


@login_required
@require_POST
def district_invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Everyone in the district who has never signed in."""
    district = access.get_managed_district_for_user(request.user, slug)
    people = selectors.never_signed_in(district)
    asked = people.count()
    _invited(request, services.staff_invite(acting_user=request.user, district=district, people=people), asked)
    return redirect(reverse("staff_list") + "?signed_in=false")


# --- Students --------------------------------------------------------------------------


@login_required
def student_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_read_students(request.user):
        raise PermissionDenied
    students = access.visible_students(request.user)
    schools = access.visible_schools(request.user).filter(pk__in=students.values("school_id")).order_by("name")
    data = request.GET.copy()
    data.setdefault("active", "true")
    student_filter = StudentFilter(data, queryset=students, schools=schools)
    sorting = Sorting(request, STUDENT_SORTS, default="name")
    queryset = sorting.apply(student_filter.qs.select_related("school"))
    page = page_of(request, queryset, PAGE_SIZE)
    return render(request, "accounts/student_list.html", {"filter": student_filter, "page": page, "sorting": sorting})


@login_required
def student_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = access.get_student_for_user(request.user, pk)
    programs = ProgramMembership.objects.filter(student=student).select_related("program").order_by("ended_on")
    # Only this student's links: a guardian's other children (perhaps at another school) never show.
    guardians = selectors.current_guardians(student)
    return render(
        request,
        "accounts/student_detail.html",
        {"student": student, "programs": programs, "guardians": guardians},
    )


# --- Roster import ---------------------------------------------------------------------


@login_required
def roster_import_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        roster_import = services.roster_import_start(
            acting_user=request.user,
            district=district,
            upload=form.cleaned_data["bundle"],
            dry_run=form.cleaned_data["dry_run"],
            confirm_departures=form.cleaned_data["confirm_departures"],
        )
        return redirect(roster_import)
    imports = district.roster_imports.select_related("uploaded_by")
    return render(
        request,
        "accounts/roster_import_list.html",
        {
            "district": district,
            "form": form,
            "page": page_of(request, imports, PAGE_SIZE),
            "sync": RosterSync.objects.filter(district=district).select_related("last_import").first(),
        },
    )


@login_required
def roster_import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    roster_import = access.get_roster_import_for_user(request.user, pk)
    context = {"roster_import": roster_import, "progress": selectors.roster_import_progress(roster_import)}
    if request.htmx and not roster_import.is_finished:
        return render(request, "accounts/_roster_import_progress.html", context)
    if request.htmx:
        # Finished while the page was polling: reload the whole page to show the report.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if roster_import.dry_run:
        context["changes"] = page_of(request, selectors.preview_rows(roster_import), PAGE_SIZE)
    return render(request, "accounts/roster_import_detail.html", context)


@login_required
@require_safe
def roster_import_changes_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    roster_import = access.get_roster_import_for_user(request.user, pk)
    rows = selectors.preview_rows(roster_import).values_list("entity", "action", "name", "detail").iterator()
    return csv_response(f"roster-preview-{roster_import.pk}.csv", ["Records", "What happens", "Name", "Details"], rows)


@login_required
@require_POST
def roster_import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    preview = access.get_roster_import_for_user(request.user, pk)
    try:
        applied = services.roster_import_apply(acting_user=request.user, preview=preview)
    except ValidationError as error:
        show_refusal(request, error)
        return redirect(preview)
    return redirect(applied)


@login_required
def roster_sync_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    sync = RosterSync.objects.filter(district=district).select_related("last_import").first()
    instance = sync or RosterSync(district=district, drop_folder=district.slug)
    form = RosterSyncForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.roster_sync_save(
                acting_user=request.user, district=district, values=values, secret=form.cleaned_data["client_secret"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The roster sync settings were saved."))
            return redirect("roster_sync_settings", district.slug)
    return render(request, "accounts/roster_sync.html", {"district": district, "form": form, "sync": sync})


@login_required
@require_POST
def roster_sync_run_now(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_managed_district_for_user(request.user, slug)
    try:
        services.roster_sync_queue_now(acting_user=request.user, district=district)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("The sync runs now; its import appears under Roster import when it is done."))
    return redirect("roster_sync_settings", district.slug)


# --- Pickers: suggestions as someone types a name (accounts/pickers.py) --------------------------------


@login_required
@require_safe
def pick_staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Active staff of the user's district whom they may see (principals: their schools' staff)."""
    staff = access.visible_staff(request.user)
    if request.user.district_id is not None:
        staff = staff.filter(district_id=request.user.district_id)
    query = pickers.picker_query(request)
    found = pickers.first_suggestions(staff, query, selectors.staff_picker_search, pickers.staff_suggestion)
    return pickers.picker_response(request, title=_("Find a staff member"), query=query, suggestions=found)


@login_required
@require_safe
def pick_students(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.can_read_students(request.user):
        raise PermissionDenied
    query = pickers.picker_query(request)
    students = access.visible_students(request.user)
    found = pickers.first_suggestions(students, query, selectors.student_picker_search, pickers.student_suggestion)
    return pickers.picker_response(request, title=_("Find a student"), query=query, suggestions=found)


@login_required
@require_safe
def pick_schools(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = pickers.picker_query(request)
    schools = access.visible_schools(request.user)
    found = pickers.first_suggestions(schools, query, selectors.school_picker_search, pickers.school_suggestion)
    return pickers.picker_response(request, title=_("Find a school"), query=query, suggestions=found)
