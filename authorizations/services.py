"""Actions on authorizations to use a tool with students. Each checks who is acting, runs in one
transaction and leaves a history entry naming the person and the reason. Authorizing a tool that
needs parental consent opens a participation consent scope for the class (consent.services)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Program, User
from authorizations import access, selectors
from authorizations.models import Authorization, AuthorizationStatus
from consent import services as consent_services
from core import power
from core.history import attribute
from core.notify import Notice, notify_many, notify_requester
from tools import services as tool_services
from tools.models import ApprovalPower, Tool

# An authorization runs for at most about a school year; a longer one is asked for again.
MAX_AUTHORIZATION_DAYS = 400
# How many names a refusal lists before "and N more".
NAMES_SHOWN = 5


def limits_refusal(program: Program, tool: Tool) -> str:
    """What a class with students outside the tool's grades or minimum age is told (empty when none is)."""
    outside = list(
        selectors.students_outside_limits(program, tool).order_by("last_name", "first_name", "pk")[: NAMES_SHOWN + 1]
    )
    if not outside:
        return ""
    count = selectors.students_outside_limits(program, tool).count() if len(outside) > NAMES_SHOWN else len(outside)
    names = ", ".join(f"{s.first_name} {s.last_name} (grade {s.grade or 'unknown'})" for s in outside[:NAMES_SHOWN])
    more = _(" and %(count)s more") % {"count": count - NAMES_SHOWN} if count > NAMES_SHOWN else ""
    return ngettext(
        "%(count)s student in %(program)s is outside %(tool)s's limits (%(limits)s): %(names)s%(more)s.",
        "%(count)s students in %(program)s are outside %(tool)s's limits (%(limits)s): %(names)s%(more)s.",
        count,
    ) % {
        "count": count,
        "program": program.name,
        "tool": tool.name,
        "limits": tool.student_limits,
        "names": names,
        "more": more,
    }


def authorization_request(
    *,
    acting_user: User,
    tool: Tool,
    program: Program,
    purpose: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Authorization:
    """A staff member asks to use an approved tool with a class or program between two dates."""
    district = acting_user.district
    if district is None or not access.can_request_authorization(acting_user):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if tool.district_id != district.pk or not tool.is_usable:
        errors["tool"] = "Choose a tool on your district's approved list (request the tool first if it is not)."
    if not access.request_programs(acting_user).filter(pk=program.pk).exists():
        errors["program"] = "Choose a class or program of your school."
    elif not district.tool_limits_exception_allowed and (refusal := limits_refusal(program, tool)):
        errors["program"] = (
            refusal + " " + _("Your district's policy allows no exception: choose another tool or class.")
        )
    if ends_on < starts_on:
        errors["ends_on"] = "The last day cannot come before the first."
    elif ends_on < timezone.localdate():
        errors["ends_on"] = "The period has already ended."
    elif (ends_on - starts_on).days > MAX_AUTHORIZATION_DAYS:
        errors["ends_on"] = "Ask for a school year at most; ask again next year."
    if errors:
        raise ValidationError(errors)
    # The policy may ask for this year's disclosure first (the rule: disclosures.selectors.power_refusal).
    power.require_allowed(acting_user, district)
    authorization = Authorization(
        district=district,
        tool=tool,
        program=program,
        staff_member=acting_user,
        requested_by=acting_user,
        purpose=purpose.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    authorization.full_clean(exclude=["staff_member", "requested_by", "decided_by"], validate_constraints=False)
    with transaction.atomic():
        attribute(authorization, acting_user, "Requested")
        authorization.save()
    return authorization


def _locked(authorization: Authorization, *expected: str) -> Authorization:
    locked = (
        Authorization.objects.select_for_update().select_related("district", "tool", "program").get(pk=authorization.pk)
    )
    if locked.status not in expected:
        raise ValidationError(f"This authorization is already {locked.get_status_display().lower()}.")
    return locked


def participation_scope_name(authorization: Authorization) -> str:
    return f"{authorization.tool.name[:45]} with {authorization.program.name[:45]} (#{authorization.pk})"


def _tell_requester(authorization: Authorization, acting_user: User) -> None:
    notify_requester(
        kind="authorization_decided",
        district_id=authorization.district_id,
        requester_id=authorization.requested_by_id,
        acting_user_id=acting_user.pk,
        object_key=f"authorization:{authorization.pk}",
        period="decided",
        path=authorization.get_absolute_url(),
    )


def authorization_grant(
    *,
    acting_user: User,
    authorization: Authorization,
    decided_as: str,
    reference: str = "",
    reason: str = "",
    limits_exception: str = "",
) -> Authorization:
    """The Superintendent or designee authorizes it. When the tool needs parental consent, a
    participation scope opens for it: it is ready once every enrolled student's family said yes.
    A student outside the tool's grades or minimum age is refused, unless the district's policy
    allows an exception and the person deciding writes down why (`limits_exception`)."""
    tool_services.check_capacity(
        acting_user, authorization.district, ApprovalPower.INSTRUCTIONAL_USE, decided_as, reference
    )
    with transaction.atomic():
        authorization = _locked(authorization, AuthorizationStatus.REQUESTED)
        if authorization.has_ended(timezone.localdate()):
            raise ValidationError("The dates asked for have passed: ask the staff member to request new dates.")
        if not authorization.tool.is_usable:
            tool = authorization.tool
            raise ValidationError(f"{tool.name} is no longer on the approved list ({tool.get_status_display()}).")
        if refusal := limits_refusal(authorization.program, authorization.tool):
            if not authorization.district.tool_limits_exception_allowed:
                raise ValidationError(refusal + " " + _("Your district's policy allows no exception."))
            if not limits_exception.strip():
                raise ValidationError(
                    {"limits_exception": refusal + " " + _("To authorize it anyway, write down why: the exception.")}
                )
            authorization.limits_exception = limits_exception.strip()
        authorization.status = AuthorizationStatus.AUTHORIZED
        authorization.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
        authorization.full_clean(exclude=["staff_member", "requested_by", "decided_by"], validate_constraints=False)
        if authorization.tool.needs_participation_consent:
            tool, program = authorization.tool, authorization.program
            authorization.participation_scope = consent_services.participation_scope_open(
                acting_user=acting_user,
                district=authorization.district,
                name=participation_scope_name(authorization),
                description=f"May your child take part in {tool.name} with {program.name}: {authorization.purpose}",
            )
        attribute(authorization, acting_user, "Authorized")
        authorization.save()
        _tell_requester(authorization, acting_user)
    return authorization


def authorization_decline(
    *, acting_user: User, authorization: Authorization, decided_as: str, reason: str, reference: str = ""
) -> Authorization:
    if not reason.strip():
        raise ValidationError({"decision_reason": "Give the reason, so the person asking understands."})
    tool_services.check_capacity(
        acting_user, authorization.district, ApprovalPower.INSTRUCTIONAL_USE, decided_as, reference
    )
    with transaction.atomic():
        authorization = _locked(authorization, AuthorizationStatus.REQUESTED)
        authorization.status = AuthorizationStatus.DECLINED
        authorization.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
        attribute(authorization, acting_user, "Not authorized")
        authorization.save()
        _tell_requester(authorization, acting_user)
    return authorization


def _end(authorization: Authorization, acting_user: User, status: str, verb: str, reason: str = "") -> None:
    """Ends an authorization: who ended it, when and why are kept apart from the decision, and
    its participation consent closes with it."""
    authorization.status = status
    authorization.ended_by = acting_user
    authorization.ended_at = timezone.now()
    authorization.end_reason = reason
    attribute(authorization, acting_user, verb)
    authorization.save(update_fields=["status", "ended_by", "ended_at", "end_reason"])
    scope = authorization.participation_scope
    if scope is not None:
        consent_services.consent_scope_close(
            acting_user=acting_user,
            scope=scope,
            reason=f"Authorization {verb.lower()}",
        )


def authorization_revoke(*, acting_user: User, authorization: Authorization, reason: str) -> Authorization:
    """The Superintendent or designee ends an authorization early, saying why."""
    if not access.can_decide_authorization(acting_user, authorization):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"decision_reason": "Say why the authorization is revoked."})
    with transaction.atomic():
        authorization = _locked(authorization, AuthorizationStatus.AUTHORIZED)
        _end(authorization, acting_user, AuthorizationStatus.REVOKED, "Revoked", reason.strip())
    return authorization


def authorization_withdraw(*, acting_user: User, authorization: Authorization) -> Authorization:
    """The staff member no longer needs it (before or after the decision)."""
    if not access.can_withdraw_authorization(acting_user, authorization):
        raise PermissionDenied
    with transaction.atomic():
        authorization = _locked(authorization, AuthorizationStatus.REQUESTED, AuthorizationStatus.AUTHORIZED)
        _end(authorization, acting_user, AuthorizationStatus.WITHDRAWN, "Withdrawn")
    return authorization


def authorizations_suspend_for_tool(*, acting_user: User, tool: Tool, reason: str) -> int:
    """The tool left the approved list: every authorization still in force to use it is suspended,
    says why, and its requester, the staff member using it and whoever authorized it are told (not
    the person who took the tool off the list). Called by tools.services inside its transaction;
    returns how many were suspended."""
    why = _("%(tool)s was taken off the approved list (%(status)s)") % {
        "tool": tool.name,
        "status": tool.get_status_display().lower(),
    }
    why = f"{why}: {reason}" if reason else f"{why}."
    notices: list[Notice] = []
    with transaction.atomic():
        in_force = (
            Authorization.objects.select_for_update(of=("self",))
            .select_related("participation_scope")
            .filter(tool=tool, status=AuthorizationStatus.AUTHORIZED, ends_on__gte=timezone.localdate())
            .order_by("pk")
        )
        suspended = 0
        for authorization in in_force:
            _end(authorization, acting_user, AuthorizationStatus.SUSPENDED, "Suspended", why)
            suspended += 1
            told = {authorization.requested_by_id, authorization.staff_member_id, authorization.decided_by_id}
            notices += [
                Notice(
                    "authorization_suspended",
                    authorization.district_id,
                    person_id,
                    f"authorization:{authorization.pk}",
                    "suspended",
                    authorization.get_absolute_url(),
                )
                for person_id in sorted(p for p in told if p is not None and p != acting_user.pk)
            ]
        if notices:
            notify_many(notices)
    return suspended
