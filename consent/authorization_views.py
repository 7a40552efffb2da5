"""Thin views over instructional-use authorizations: resolve through consent.access, change through
consent.services, read readiness through consent.selectors, and log every time a page shows
students' consent to take part (the privacy log)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.history import page_number as history_page_number
from accounts.models import Approver, User
from consent import access, selectors, services
from consent.authorization_forms import DecisionForm, ParticipationAnswerForm, RequestForm, RevokeForm
from consent.models import ConsentScope, Decision, ListKind
from registry import access as registry_access
from registry import history as registry_history
from registry.models import USABLE_TOOL_STATUSES, ApprovalPower, AuthorizationStatus, DecidedAs, InstructionalUse

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
    return f"{n} student{'s' if n != 1 else ''}"


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def readiness_of(use: InstructionalUse, today: datetime.date) -> Readiness:
    enrolled, covered = use.enrolled, use.covered  # type: ignore[attr-defined]
    needs_consent = use.tool.needs_participation_consent or use.needs_consent  # type: ignore[attr-defined]
    status = use.status
    where = f"{use.tool.name} with {use.program.name}"
    if status == AuthorizationStatus.REQUESTED:
        detail = f"{_students(enrolled)} enrolled"
        banner = f"Waiting for a decision: students may not use {where} until it is authorized."
        if needs_consent:
            detail += "; consent is asked once authorized"
            banner += f" Once it is, the families of the {_students(enrolled)} enrolled are asked for written consent."
        return Readiness("Waiting for a decision", "warning", detail, banner)
    if status == AuthorizationStatus.DECLINED:
        return Readiness("Not authorized", "secondary", "", f"Not authorized: students may not use {where}.")
    if status == AuthorizationStatus.REVOKED:
        return Readiness("Revoked", "secondary", "", f"Revoked: students may no longer use {where}.")
    if status == AuthorizationStatus.WITHDRAWN:
        return Readiness("Withdrawn", "secondary", "", f"Withdrawn: students may not use {where} under it.")
    if use.has_ended(today):
        return Readiness(
            "Ended",
            "secondary",
            f"Ended {_day(use.ends_on)}",
            f"Ended on {_day(use.ends_on)}: the authorization no longer covers {where}. Ask again for a new period.",
        )
    starts = f" It starts on {_day(use.starts_on)}." if use.starts_on > today else ""
    if not use.needs_consent:  # type: ignore[attr-defined]
        return Readiness(
            "Ready",
            "success",
            "No parental consent needed",
            f"Ready: {use.tool.name} needs no parental consent; authorized until {_day(use.ends_on)}.{starts}",
            ready=True,
        )
    families = f"{covered} of {enrolled} famil{'ies have' if enrolled != 1 else 'y has'} consented"
    if enrolled == 0:
        return Readiness(
            "Not ready",
            "danger",
            "No students enrolled",
            f"Not ready: no students are enrolled in {use.program.name} yet, so no family has consented.{starts}",
        )
    if use.is_ready:  # type: ignore[attr-defined]
        everyone = "the one enrolled student has"
        if enrolled != 1:
            everyone = f"every one of the {enrolled} enrolled students has"
        return Readiness("Ready", "success", families, f"Ready: {everyone} a parent's consent.{starts}", ready=True)
    missing = enrolled - covered
    verb = "is" if missing == 1 else "are"
    pronoun = "they" if missing != 1 else "the student"
    return Readiness(
        "Not ready",
        "danger",
        families,
        f"Not ready: {missing} of {_students(enrolled)} {verb} missing a parent's consent — "
        f"{pronoun} may not take part until it arrives.{starts}",
    )


# --- History in plain words ---------------------------------------------------------------------


def _capacity(value: str) -> str:
    """“the Superintendent”, to follow “as”."""
    if value not in DecidedAs.values:
        return ""
    label = str(DecidedAs(value).label)
    return label[:1].lower() + label[1:]


# --- Helpers ---------------------------------------------------------------------------------------


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form that asked for it: by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        name = FIELD_NAMES.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _approver(user: User, *, capital: bool = False) -> str:
    """Who the user's district has decide: “the Superintendent or designee”, “the School Board”…"""
    if user.district_id is None:
        return "The district" if capital else "the district"
    label = str(Approver(registry_access.approver_for(user.district, ApprovalPower.INSTRUCTIONAL_USE)).label)
    return label if capital else label[:1].lower() + label[1:]


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _readiness_query(uses: QuerySet[InstructionalUse], today: datetime.date) -> QuerySet[InstructionalUse]:
    return selectors.with_readiness(uses.select_related("tool", "program__school", "staff_member"), today)


def _page(request: HttpRequest, uses: QuerySet[InstructionalUse], key: str, today: datetime.date) -> Page:
    page = Paginator(uses, PAGE_SIZE).get_page(request.GET.get(f"{key}_page"))
    for use in page.object_list:
        use.readiness = readiness_of(use, today)
    return page


# --- The list ---------------------------------------------------------------------------------------


@login_required
def authorization_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    visible = access.visible_authorizations(user)
    mine_q = Q(staff_member=user) | Q(requested_by=user)
    decides = user.district_id is not None and registry_access.can_take_decision(
        user, user.district, ApprovalPower.INSTRUCTIONAL_USE
    )
    waiting = selectors.authorizations_waiting(visible)
    # Deciders see every request of their district; others those of their school (their own are below).
    waiting = waiting.filter(district_id=user.district_id) if decides else waiting.exclude(mine_q)
    in_force = selectors.authorizations_in_force(visible, today).exclude(mine_q)
    closed = (
        visible.exclude(mine_q)
        .exclude(status=AuthorizationStatus.REQUESTED)
        .exclude(status=AuthorizationStatus.AUTHORIZED, ends_on__gte=today)
    )
    sections = [
        (
            "waiting",
            "Waiting for your decision" if decides else "Waiting for a decision",
            "Oldest first." if decides else f"Waiting for {_approver(user)}, oldest first.",
            _readiness_query(waiting, today),
        ),
        (
            "mine",
            "My authorizations",
            "The ones you asked for or run, newest first.",
            _readiness_query(visible.filter(mine_q), today),
        ),
        (
            "in_force",
            "In force",
            "Authorized and not yet ended; those missing a family's consent first.",
            _readiness_query(in_force, today).order_by("is_ready", "ends_on", "pk"),
        ),
        (
            "closed",
            "Ended, not authorized, revoked or withdrawn",
            "Newest first.",
            _readiness_query(closed, today),
        ),
    ]
    pages = [(key, title, help_text, _page(request, uses, key, today)) for key, title, help_text, uses in sections]
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
def authorization_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.can_request_authorization(user):
        raise PermissionDenied
    tools = (
        registry_access.visible_tools(user)
        .filter(district_id=user.district_id, status__in=USABLE_TOOL_STATUSES)
        .order_by("name", "pk")
    )
    programs = access.request_programs(user).select_related("school").order_by("school__name", "name", "pk")
    wanted = request.GET.get("tool", "")
    initial = {"tool": wanted} if PK.fullmatch(wanted) else {}
    form = RequestForm(request.POST or None, tools=tools, programs=programs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                use = services.instructional_use_request(
                    acting_user=user,
                    tool=data["tool"],
                    program=data["program"],
                    purpose=data["purpose"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Asked for {use.tool.name} with {use.program.name}. {_approver(user, capital=True)} decides; "
                    "you will see the answer here.",
                )
                return redirect(use)
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
    request: HttpRequest,
    use: InstructionalUse,
    *,
    decision_form: DecisionForm | None = None,
    revoke_form: RevokeForm | None = None,
    answer_form: ParticipationAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    counted = selectors.with_readiness(InstructionalUse.objects.filter(pk=use.pk), today)
    use.enrolled, use.covered, use.needs_consent, use.is_ready = counted.values_list(
        "enrolled", "covered", "needs_consent", "is_ready"
    ).get()
    scope: ConsentScope | None = getattr(use, "consent_scope", None)
    shows_names = access.sees_participants(user, use)
    # Names and answers only once there is something to answer: a consent scope for this authorization.
    participants = selectors.participants(use, today) if shows_names and scope is not None else []
    if participants:
        services.list_view_record(
            user=user,
            district=use.district,
            kind=ListKind.PROGRAM,
            subject=f"Authorization #{use.pk}: {use.tool.name} with {use.program.name}",
        )
    capacities = registry_access.decision_capacities(user, use.district, ApprovalPower.INSTRUCTIONAL_USE)
    is_open = use.status in (AuthorizationStatus.REQUESTED, AuthorizationStatus.AUTHORIZED)
    collecting = scope is not None and scope.active and not use.has_ended(today)
    can_record = collecting and access.can_record(user, use.program.school)
    if can_record and answer_form is None:
        recordable = _recordable_school_ids(user, participants)
        wanted = request.GET.get("student", "")
        answer_form = ParticipationAnswerForm(
            enrolled=_recordable_students(user, use),
            shown=[p.student for p in participants if p.student.school_id in recordable],
            initial={"student": wanted} if PK.fullmatch(wanted) else {},
        )
    can_decide = bool(capacities) and use.status == AuthorizationStatus.REQUESTED
    can_revoke = bool(capacities) and use.status == AuthorizationStatus.AUTHORIZED
    return render(
        request,
        "authorizations/detail.html",
        {
            "use": use,
            "readiness": readiness_of(use, today),
            "missing": use.enrolled - use.covered,
            "scope": scope,
            "shows_names": shows_names,
            "participants": participants,
            "collecting": collecting,
            "decision": "Not authorized" if use.status == AuthorizationStatus.DECLINED else "Authorized",
            "decided_as": _capacity(use.decided_as),
            "decision_reason": use.decision_reason,
            "history": registry_history.authorization_history(use, number=history_page_number(request)),
            "decision_form": decision_form or (DecisionForm(capacities=capacities) if can_decide else None),
            "revoke_form": revoke_form or (RevokeForm() if can_revoke else None),
            "can_withdraw": is_open and access.can_withdraw_authorization(user, use),
            "answer_form": answer_form if can_record else None,
            "today": today,
        },
        status=status,
    )


def _recordable_school_ids(user: User, participants: list[selectors.Participant]) -> set[int]:
    school_ids = {p.student.school_id for p in participants}
    if not school_ids:
        return set()
    return set(access.recording_schools(user).filter(pk__in=school_ids).values_list("pk", flat=True))


def _recordable_students(user: User, use: InstructionalUse) -> QuerySet:
    """Enrolled students whose families' answers this user may enter (the form's valid choices)."""
    return (
        selectors.enrolled_students(use.program_id)
        .filter(school__in=access.recording_schools(user))
        .select_related("school", "district")
        .distinct()
    )


@login_required
def authorization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    use = access.get_authorization_for_user(request.user, pk)
    return _detail_page(request, use)


@require_POST
@login_required
def authorization_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    use = access.get_authorization_for_user(user, pk)
    capacities = registry_access.decision_capacities(user, use.district, ApprovalPower.INSTRUCTIONAL_USE)
    if not capacities:
        raise PermissionDenied
    form = DecisionForm(request.POST, capacities=capacities)
    if not form.is_valid():
        return _detail_page(request, use, decision_form=form, status=400)
    data = form.cleaned_data
    action = (
        services.instructional_use_authorize
        if data["decision"] == DecisionForm.AUTHORIZE
        else services.instructional_use_decline
    )
    try:
        decided = action(
            acting_user=user, use=use, decided_as=data["decided_as"], reference=data["reference"], reason=data["reason"]
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _detail_page(request, use, decision_form=form, status=400)
    if decided.status == AuthorizationStatus.AUTHORIZED:
        follow = (
            " Families can now be asked for consent; record their answers on this page."
            if decided.tool.needs_participation_consent
            else ""
        )
        messages.success(request, f"Authorized {decided.tool.name} with {decided.program.name}.{follow}")
    else:
        messages.success(request, f"Not authorized: {decided.tool.name} with {decided.program.name}.")
    return redirect(decided)


@require_POST
@login_required
def authorization_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    use = access.get_authorization_for_user(user, pk)
    if not access.can_decide_authorization(user, use):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, use, revoke_form=form, status=400)
    try:
        services.instructional_use_revoke(acting_user=user, use=use, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _add_errors(form, error)
        return _detail_page(request, use, revoke_form=form, status=400)
    messages.success(request, f"Revoked: {use.tool.name} with {use.program.name}. The families' answers are kept.")
    return redirect(use)


@require_POST
@login_required
def authorization_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    use = access.get_authorization_for_user(user, pk)
    if not access.can_withdraw_authorization(user, use):
        raise PermissionDenied
    try:
        services.instructional_use_withdraw(acting_user=user, use=use)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, f"Withdrawn: {use.tool.name} with {use.program.name}.")
    return redirect(use)


ANSWER_WORDS = {
    Decision.GRANTED: "consents",
    Decision.REFUSED: "refuses",
    Decision.WITHDRAWN: "withdrew consent",
}


@require_POST
@login_required
def authorization_record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    use = access.get_authorization_for_user(user, pk)
    if not access.can_record(user, use.program.school):
        raise PermissionDenied
    scope: ConsentScope | None = getattr(use, "consent_scope", None)
    if scope is None or not scope.active:
        messages.error(
            request,
            "Families' answers are recorded once the use is authorized with a tool that needs their consent, "
            "and until it is revoked or withdrawn.",
        )
        return redirect(use)
    form = ParticipationAnswerForm(request.POST, enrolled=_recordable_students(user, use))
    if not form.is_valid():
        return _detail_page(request, use, answer_form=form, status=400)
    data = form.cleaned_data
    student = data["student"]
    try:
        services.consent_record(
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
        _add_errors(form, error)
        return _detail_page(request, use, answer_form=form, status=400)
    messages.success(request, f"Recorded: the family of {student.full_name} {ANSWER_WORDS[data['decision']]}.")
    return redirect(use)
