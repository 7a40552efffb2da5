"""Thin views over authorizations to use a tool with students: resolve through
authorizations.access, change through authorizations.services, read readiness through
authorizations.selectors, and log every time a page shows students' consent to take part (the
privacy log)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts import pickers
from accounts import selectors as account_selectors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Approver, Student, User
from authorizations import access, history, selectors, services
from authorizations.forms import DecisionForm, ParticipationAnswerForm, RequestForm, RevokeForm
from authorizations.models import Authorization, AuthorizationStatus
from consent import access as consent_access
from consent import services as consent_services
from consent.models import ConsentScope, Decision, ListKind
from core.counted import counted
from core.history import history_page_number
from core.refusals import add_refusal, show_refusal
from core.sorting import SortColumns, Sorting
from tools import access as tool_access
from tools.models import USABLE_TOOL_STATUSES, ApprovalPower, DecidedAs

PAGE_SIZE = 25
# What a service calls a field, and what the page's form calls it.
FIELD_NAMES = {"decision_reason": "reason", "decision_reference": "reference", "scope": None}
PK = re.compile(r"[0-9]{1,12}")


# --- Readiness in words ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """What a page says about an authorization annotated by selectors.with_readiness."""

    label: str  # a short badge: "Ready", "Not ready", "Waiting for a decision"…
    tone: str  # a Bootstrap colour: success, danger, warning, secondary
    detail: str  # one line for lists: "21 of 24 families have consented"
    banner: str  # the sentence at the top of the authorization's page
    ready: bool = False


def _students(n: int) -> str:
    return ngettext("%(count)s student", "%(count)s students", n) % {"count": n}


def _day(day: datetime.date) -> str:
    # The month's name in the reader's language ("F": "March" in English).
    return dateformat.format(day, "F j, Y")


def readiness_of(authorization: selectors.AuthorizationWithReadiness, today: datetime.date) -> Readiness:
    enrolled, covered = authorization.enrolled, authorization.covered
    needs_consent = authorization.tool.needs_participation_consent or authorization.needs_consent
    status = authorization.status
    where = _("%(tool)s with %(program)s") % {"tool": authorization.tool.name, "program": authorization.program.name}
    if status == AuthorizationStatus.REQUESTED:
        students = _students(enrolled)
        if needs_consent:
            detail = _("%(students)s enrolled; consent is asked once authorized") % {"students": students}
            banner = _(
                "Waiting for a decision: students may not use %(where)s until it is authorized. "
                "Once it is, the families of the %(students)s enrolled are asked for written consent."
            ) % {"where": where, "students": students}
        else:
            detail = _("%(students)s enrolled") % {"students": students}
            banner = _("Waiting for a decision: students may not use %(where)s until it is authorized.") % {
                "where": where
            }
        return Readiness(_("Waiting for a decision"), "warning", detail, banner)
    if status == AuthorizationStatus.DECLINED:
        return Readiness(
            _("Not authorized"),
            "secondary",
            "",
            _("Not authorized: students may not use %(where)s.") % {"where": where},
        )
    if status == AuthorizationStatus.REVOKED:
        return Readiness(
            _("Revoked"), "secondary", "", _("Revoked: students may no longer use %(where)s.") % {"where": where}
        )
    if status == AuthorizationStatus.WITHDRAWN:
        return Readiness(
            _("Withdrawn"), "secondary", "", _("Withdrawn: students may not use %(where)s under it.") % {"where": where}
        )
    if status == AuthorizationStatus.SUSPENDED:
        return Readiness(
            _("Suspended"),
            "danger",
            _("The tool left the approved list"),
            _("Suspended: students may no longer use %(where)s. %(why)s Ask again once the tool is back on the list.")
            % {"where": where, "why": authorization.end_reason},
        )
    if authorization.has_ended(today):
        ended = _day(authorization.ends_on)
        return Readiness(
            _("Ended"),
            "secondary",
            _("Ended %(day)s") % {"day": ended},
            _("Ended on %(day)s: the authorization no longer covers %(where)s. Ask again for a new period.")
            % {"day": ended, "where": where},
        )
    starts = ""
    if authorization.starts_on > today:
        starts = " " + _("It starts on %(day)s.") % {"day": _day(authorization.starts_on)}
    if not authorization.needs_consent:
        return Readiness(
            _("Ready"),
            "success",
            _("No parental consent needed"),
            _("Ready: %(tool)s needs no parental consent; authorized until %(day)s.")
            % {"tool": authorization.tool.name, "day": _day(authorization.ends_on)}
            + starts,
            ready=True,
        )
    families = ngettext(
        "%(covered)s of %(enrolled)s family has consented",
        "%(covered)s of %(enrolled)s families have consented",
        enrolled,
    ) % {"covered": covered, "enrolled": enrolled}
    if enrolled == 0:
        return Readiness(
            _("Not ready"),
            "danger",
            _("No students enrolled"),
            _("Not ready: no students are enrolled in %(program)s yet, so no family has consented.")
            % {"program": authorization.program.name}
            + starts,
        )
    if authorization.is_ready:
        everyone = ngettext(
            "Ready: the one enrolled student has a parent's consent.",
            "Ready: every one of the %(count)s enrolled students has a parent's consent.",
            enrolled,
        ) % {"count": enrolled}
        return Readiness(_("Ready"), "success", families, everyone + starts, ready=True)
    missing = enrolled - covered
    return Readiness(
        _("Not ready"),
        "danger",
        families,
        ngettext(
            "Not ready: %(missing)s of %(students)s is missing a parent's consent — "
            "the student may not take part until it arrives.",
            "Not ready: %(missing)s of %(students)s are missing a parent's consent — "
            "they may not take part until it arrives.",
            missing,
        )
        % {"missing": missing, "students": _students(enrolled)}
        + starts,
    )


# --- History in plain words ---------------------------------------------------------------------


def _capacity(value: str) -> str:
    """“the Superintendent”, to follow “as”."""
    if value not in DecidedAs.values:
        return ""
    label = str(DecidedAs(value).label)
    return label[:1].lower() + label[1:]


# --- Helpers ---------------------------------------------------------------------------------------


def _approver(user: User, *, capital: bool = False) -> str:
    """Who the user's district has decide: “the Superintendent or designee”, “the School Board”…"""
    if user.district is None:
        return _("The district") if capital else _("the district")
    label = str(Approver(tool_access.approver_for(user.district, ApprovalPower.INSTRUCTIONAL_USE)).label)
    return label if capital else label[:1].lower() + label[1:]


def _readiness_query(
    authorizations: QuerySet[Authorization], today: datetime.date
) -> QuerySet[selectors.AuthorizationWithReadiness]:
    return selectors.with_readiness(authorizations.select_related("tool", "program__school", "staff_member"), today)


def _missing_consent_first(
    authorizations: QuerySet[selectors.AuthorizationWithReadiness], user: User, today: datetime.date
) -> QuerySet[selectors.AuthorizationWithReadiness]:
    """Those still missing a family's consent first. Which ones is counted over the district and
    kept a short while (core.counted); each row's own readiness is read live."""
    if user.district_id is None:  # a platform operator across districts: sorted by the live answer
        return authorizations.order_by("is_ready", "ends_on", "pk")
    district_id = user.district_id
    missing = counted(
        f"authorizations:not-ready:{district_id}:{today.isoformat()}",
        lambda: selectors.not_ready_ids(district_id, today),
    ).value
    first = Case(When(pk__in=missing, then=Value(0)), default=Value(1), output_field=IntegerField())
    return authorizations.alias(missing_first=first).order_by("missing_first", "ends_on", "pk")


# Each section's sortable columns (core.sorting, ?<section>_sort=…); is_ready is selectors.with_readiness's.
AUTHORIZATION_SORTS: SortColumns = {
    "tool": ["tool__name"],
    "program": ["program__name", "program__school__name"],
    "staff": ["staff_member__last_name", "staff_member__first_name"],
    "dates": ["starts_on", "ends_on"],
    "standing": ["status", "is_ready", "ends_on"],
}


def _page(
    request: AuthenticatedHttpRequest,
    authorizations: QuerySet[selectors.AuthorizationWithReadiness],
    key: str,
    today: datetime.date,
) -> tuple[Page[selectors.AuthorizationWithReadiness], Sorting]:
    """The section's page, in the order its address asks for (its own order when it asks none)."""
    sorting = Sorting(
        request, AUTHORIZATION_SORTS, default=None, parameter=f"{key}_sort", page_parameter=f"{key}_page", anchor=key
    )
    page = Paginator(sorting.apply(authorizations), PAGE_SIZE).get_page(request.GET.get(f"{key}_page"))
    for authorization in page.object_list:
        authorization.readiness = readiness_of(authorization, today)  # for the template
    return page, sorting


# --- The list ---------------------------------------------------------------------------------------


@login_required
def authorization_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = access.visible_authorizations(user)
    mine_q = Q(staff_member=user) | Q(requested_by=user)
    decides = user.district is not None and tool_access.can_take_decision(
        user, user.district, ApprovalPower.INSTRUCTIONAL_USE
    )
    waiting = selectors.authorizations_waiting(visible)
    # Deciders see every request of their district; others those of their school (their own are below).
    waiting = waiting.filter(district=user.district_id) if decides else waiting.exclude(mine_q)
    in_force = selectors.authorizations_in_force(visible, today).exclude(mine_q)
    closed = (
        visible.exclude(mine_q)
        .exclude(status=AuthorizationStatus.REQUESTED)
        .exclude(status=AuthorizationStatus.AUTHORIZED, ends_on__gte=today)
    )
    sections = [
        (
            "waiting",
            _("Waiting for your decision") if decides else _("Waiting for a decision"),
            _("Oldest first.")
            if decides
            else _("Waiting for %(approver)s, oldest first.") % {"approver": _approver(user)},
            _readiness_query(waiting, today),
        ),
        (
            "mine",
            _("My authorizations"),
            _("The ones you asked for or run, newest first."),
            _readiness_query(visible.filter(mine_q), today),
        ),
        (
            "in_force",
            _("In force"),
            _("Authorized and not yet ended; those missing a family's consent first."),
            _missing_consent_first(_readiness_query(in_force, today), user, today),
        ),
        (
            "closed",
            _("Ended, not authorized, revoked, withdrawn or suspended"),
            _("Newest first."),
            _readiness_query(closed, today),
        ),
    ]
    pages = [
        (key, title, help_text, *_page(request, authorizations, key, today))
        for key, title, help_text, authorizations in sections
    ]
    return render(
        request,
        "authorizations/list.html",
        {
            "sections": [section for section in pages if section[3].paginator.count],
            "can_request": access.can_request_authorization(user),
            "decides": decides,
            "approver": _approver(user),
            "today": today,
        },
    )


# --- Asking for one -----------------------------------------------------------------------------------


@login_required
def authorization_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_request_authorization(user):
        raise PermissionDenied
    tools = (
        tool_access.visible_tools(user)
        .filter(district=user.district_id, status__in=USABLE_TOOL_STATUSES)
        .order_by("name", "pk")
    )
    programs = access.request_programs(user).select_related("school")
    wanted = request.GET.get("tool", "")
    initial = {"tool": wanted} if PK.fullmatch(wanted) else {}
    form = RequestForm(request.POST or None, tools=tools, programs=programs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                authorization = services.authorization_request(
                    acting_user=user,
                    tool=data["tool"],
                    program=data["program"],
                    purpose=data["purpose"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as error:
                add_refusal(form, error, FIELD_NAMES)
            else:
                messages.success(
                    request,
                    _("Asked for %(tool)s with %(program)s. %(approver)s decides; you will see the answer here.")
                    % {
                        "tool": authorization.tool.name,
                        "program": authorization.program.name,
                        "approver": _approver(user, capital=True),
                    },
                )
                return redirect(authorization)
        status = 400
    tool_list = list(tools)
    chosen = str(form["tool"].value() or "")
    return render(
        request,
        "authorizations/new.html",
        {
            "form": form,
            "tools": tool_list,
            "chosen": next((tool for tool in tool_list if str(tool.pk) == chosen), None),
            "approver": _approver(user, capital=True),
        },
        status=status,
    )


# --- One authorization ------------------------------------------------------------------------------


def _detail_page(
    request: AuthenticatedHttpRequest,
    authorization: Authorization,
    *,
    decision_form: DecisionForm | None = None,
    revoke_form: RevokeForm | None = None,
    answer_form: ParticipationAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    counted = selectors.with_readiness(Authorization.objects.filter(pk=authorization.pk), today)
    # The page's authorization gets the four readiness columns (read in one query, not the whole row).
    annotated = cast("selectors.AuthorizationWithReadiness", authorization)
    annotated.enrolled, annotated.covered, annotated.needs_consent, annotated.is_ready = counted.values_list(
        "enrolled", "covered", "needs_consent", "is_ready"
    ).get()
    scope: ConsentScope | None = authorization.participation_scope
    shows_names = access.sees_participants(user, authorization)
    # Names and answers only once there is something to answer: a consent scope for this authorization.
    participants = selectors.participants(authorization, today) if shows_names and scope is not None else []
    if participants:
        consent_services.list_view_record(
            user=user,
            district=authorization.district,
            kind=ListKind.PROGRAM,
            subject=f"Authorization #{authorization.pk}: {authorization.tool.name} with {authorization.program.name}",
        )
    capacities = tool_access.decision_capacities(user, authorization.district, ApprovalPower.INSTRUCTIONAL_USE)
    is_open = authorization.status in (AuthorizationStatus.REQUESTED, AuthorizationStatus.AUTHORIZED)
    collecting = scope is not None and scope.active and not authorization.has_ended(today)
    can_record = collecting and consent_access.can_record(user, authorization.program.school)
    if can_record and answer_form is None:
        recordable = _recordable_school_ids(user, participants)
        wanted = request.GET.get("student", "")
        answer_form = ParticipationAnswerForm(
            enrolled=_recordable_students(user, authorization),
            shown=[p.student for p in participants if p.student.school_id in recordable],
            initial={"student": wanted} if PK.fullmatch(wanted) else {},
        )
    can_decide = bool(capacities) and authorization.status == AuthorizationStatus.REQUESTED
    can_revoke = bool(capacities) and authorization.status == AuthorizationStatus.AUTHORIZED
    # Whoever decides sees, before deciding, the students the tool's grades or minimum age leave out.
    limits_refusal = services.limits_refusal(authorization.program, authorization.tool) if can_decide else ""
    asks_exception = bool(limits_refusal) and authorization.district.tool_limits_exception_allowed
    return render(
        request,
        "authorizations/detail.html",
        {
            "authorization": authorization,
            "readiness": readiness_of(annotated, today),
            "missing": annotated.enrolled - annotated.covered,
            "scope": scope,
            "shows_names": shows_names,
            "participants": participants,
            "collecting": collecting,
            "decision": _("Not authorized")
            if authorization.status == AuthorizationStatus.DECLINED
            else _("Authorized"),
            "decided_as": _capacity(authorization.decided_as),
            "decision_reason": authorization.decision_reason,
            "history": history.authorization_history(authorization, number=history_page_number(request)),
            "decision_form": decision_form
            or (DecisionForm(capacities=capacities, asks_exception=asks_exception) if can_decide else None),
            "limits_refusal": limits_refusal,
            "exception_allowed": authorization.district.tool_limits_exception_allowed,
            "revoke_form": revoke_form or (RevokeForm() if can_revoke else None),
            "can_withdraw": is_open and access.can_withdraw_authorization(user, authorization),
            "answer_form": answer_form if can_record else None,
            "today": today,
        },
        status=status,
    )


def _recordable_school_ids(user: User, participants: list[selectors.Participant]) -> set[int]:
    school_ids = {p.student.school_id for p in participants}
    if not school_ids:
        return set()
    return set(consent_access.recording_schools(user).filter(pk__in=school_ids).values_list("pk", flat=True))


def _recordable_students(user: User, authorization: Authorization) -> QuerySet[Student]:
    """Enrolled students whose families' answers this user may enter (the form's valid choices)."""
    return (
        selectors.enrolled_students(authorization.program_id)
        .filter(school__in=consent_access.recording_schools(user))
        .select_related("school", "district")
        .distinct()
    )


@login_required
def authorization_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    authorization = access.get_authorization_for_user(request.user, pk)
    return _detail_page(request, authorization)


@require_POST
@login_required
def authorization_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    authorization = access.get_authorization_for_user(user, pk)
    capacities = tool_access.decision_capacities(user, authorization.district, ApprovalPower.INSTRUCTIONAL_USE)
    if not capacities:
        raise PermissionDenied
    # The exception is read whenever it is sent, so an over-long one is refused rather than dropped.
    form = DecisionForm(request.POST, capacities=capacities, asks_exception=True)
    if not form.is_valid():
        return _detail_page(request, authorization, decision_form=form, status=400)
    data = form.cleaned_data
    decision = {"decided_as": data["decided_as"], "reference": data["reference"], "reason": data["reason"]}
    try:
        if data["decision"] == DecisionForm.AUTHORIZE:
            decided = services.authorization_grant(
                acting_user=user,
                authorization=authorization,
                limits_exception=data.get("limits_exception", ""),
                **decision,
            )
        else:
            decided = services.authorization_decline(acting_user=user, authorization=authorization, **decision)
    except ValidationError as error:
        add_refusal(form, error, FIELD_NAMES)
        return _detail_page(request, authorization, decision_form=form, status=400)
    names = {"tool": decided.tool.name, "program": decided.program.name}
    if decided.status == AuthorizationStatus.AUTHORIZED:
        if decided.tool.needs_participation_consent:
            message = _(
                "Authorized %(tool)s with %(program)s. "
                "Families can now be asked for consent; record their answers on this page."
            )
        else:
            message = _("Authorized %(tool)s with %(program)s.")
        messages.success(request, message % names)
    else:
        messages.success(request, _("Not authorized: %(tool)s with %(program)s.") % names)
    return redirect(decided)


@require_POST
@login_required
def authorization_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    authorization = access.get_authorization_for_user(user, pk)
    if not access.can_decide_authorization(user, authorization):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, authorization, revoke_form=form, status=400)
    try:
        services.authorization_revoke(acting_user=user, authorization=authorization, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        add_refusal(form, error, FIELD_NAMES)
        return _detail_page(request, authorization, revoke_form=form, status=400)
    messages.success(
        request,
        _("Revoked: %(tool)s with %(program)s. The families' answers are kept.")
        % {"tool": authorization.tool.name, "program": authorization.program.name},
    )
    return redirect(authorization)


@require_POST
@login_required
def authorization_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    authorization = access.get_authorization_for_user(user, pk)
    if not access.can_withdraw_authorization(user, authorization):
        raise PermissionDenied
    try:
        services.authorization_withdraw(acting_user=user, authorization=authorization)
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Withdrawn: %(tool)s with %(program)s.")
            % {"tool": authorization.tool.name, "program": authorization.program.name},
        )
    return redirect(authorization)


ANSWER_MESSAGES = {
    Decision.GRANTED: gettext_lazy("Recorded: the family of %(student)s consents."),
    Decision.REFUSED: gettext_lazy("Recorded: the family of %(student)s refuses."),
    Decision.WITHDRAWN: gettext_lazy("Recorded: the family of %(student)s withdrew consent."),
}


@require_POST
@login_required
def authorization_record_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    authorization = access.get_authorization_for_user(user, pk)
    if not consent_access.can_record(user, authorization.program.school):
        raise PermissionDenied
    scope: ConsentScope | None = authorization.participation_scope
    if scope is None or not scope.active:
        messages.error(
            request,
            _(
                "Families' answers are recorded once it is authorized with a tool that needs their consent, "
                "and until it is revoked or withdrawn."
            ),
        )
        return redirect(authorization)
    form = ParticipationAnswerForm(request.POST, enrolled=_recordable_students(user, authorization))
    if not form.is_valid():
        return _detail_page(request, authorization, answer_form=form, status=400)
    data = form.cleaned_data
    student = data["student"]
    try:
        consent_services.consent_record(
            acting_user=user,
            student=student,
            scope=scope,
            decision=data["decision"],
            received_on=data["received_on"],
            received_by=data["received_by"],
            guardian_name=data["guardian_name"],
            note=data["note"],
        )
    except ValidationError as error:
        add_refusal(form, error, FIELD_NAMES)
        return _detail_page(request, authorization, answer_form=form, status=400)
    messages.success(request, ANSWER_MESSAGES[data["decision"]] % {"student": student.full_name})
    return redirect(authorization)


@require_POST
@login_required
def authorization_ask_families(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The authorization's own form, sent to the families of the enrolled students on their links."""
    user = request.user
    authorization = access.get_authorization_for_user(user, pk)
    if not consent_access.can_record(user, authorization.program.school):
        raise PermissionDenied
    scope: ConsentScope | None = authorization.participation_scope
    if scope is None or not scope.active:
        messages.error(request, _("Families are asked once it is authorized with a tool that needs their consent."))
        return redirect(authorization)
    students = list(_recordable_students(user, authorization))
    sent = consent_services.family_links_send(
        acting_user=user,
        students=students,
        school_year=authorization.district.school_year_for(timezone.localdate()).start_year,
        scopes=[scope],
        participation_scope=scope,
    )
    messages.success(
        request,
        _(
            "%(emailed)s e-mail(s) on their way to %(families)s families; %(paper)s have no e-mail address: "
            "give them the paper form."
        )
        % {"emailed": sent.emailed, "families": len(sent.links), "paper": len(sent.without_email)},
    )
    return redirect(authorization)


@login_required
@require_safe
def pick_program(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The classes and programs the user may ask to use a tool with, by name (the request's picker)."""
    query = pickers.picker_query(request)
    programs = access.request_programs(request.user)
    found = pickers.first_suggestions(
        programs, query, account_selectors.program_picker_search, pickers.program_suggestion
    )
    return pickers.picker_response(request, title=_("Find a class or program"), query=query, suggestions=found)
