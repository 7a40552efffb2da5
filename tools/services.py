"""Actions on the approved-tool list and the decisions the policy reserves: designees, tools, tool
requests and written permission to use the district logo. Each checks who may act, runs in one
transaction and leaves a history entry naming the person and the reason."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Approver, District, Guardian, StudentGuardian, User
from core.history import attribute
from core.languages import supported
from core.notify import Notice, notify_many, notify_requester
from tools import access, selectors
from tools.models import (
    DECIDED_TOOL_STATUSES,
    USABLE_TOOL_STATUSES,
    ApprovalPower,
    DecidedAs,
    Designee,
    LogoPermission,
    Spokesperson,
    TechnologyNotice,
    Tool,
    ToolRequest,
    ToolRequestStatus,
    ToolStatus,
)

# --- Decisions the policy reserves (Superintendent, designee, School Board) ---------------------


def check_capacity(acting_user: User, district: District, power: str, decided_as: str, reference: str) -> None:
    """The person deciding must hold the capacity they claim; a Board decision cites its minutes."""
    capacities = access.decision_capacities(acting_user, district, power)
    if not capacities:
        raise PermissionDenied
    if decided_as not in capacities:
        allowed = ", ".join(str(DecidedAs(c).label) for c in capacities)
        raise ValidationError({"decided_as": f"Under your district's policy you can record this as: {allowed}."})
    if decided_as == DecidedAs.SCHOOL_BOARD and not reference.strip():
        raise ValidationError(
            {"decision_reference": "Say where the Board's decision is written, e.g. the meeting date and item."}
        )


def designee_add(*, acting_user: User, district: District, user: User, power: str, note: str = "") -> Designee:
    """The Superintendent designates a staff member to decide one kind of matter for them."""
    if not access.can_manage_designees(acting_user, district):
        raise PermissionDenied
    if user.district_id != district.pk or not user.is_active:
        raise ValidationError({"user": "Choose an active staff member of the district."})
    if user.pk == acting_user.pk:
        raise ValidationError({"user": "You already decide these matters yourself."})
    if access.approver_for(district, power) != Approver.SUPERINTENDENT_OR_DESIGNEE:
        raise ValidationError({"power": "Your district's policy does not let a designee take this decision."})
    designee = Designee(district=district, user=user, power=power, designated_by=acting_user, note=note.strip())
    designee.full_clean(exclude=["designated_by"], validate_constraints=False)
    with transaction.atomic():
        if (
            Designee.objects.select_for_update()
            .filter(district=district, user=user, power=power, ends_on__isnull=True)
            .exists()
        ):
            raise ValidationError({"user": "This person is already a designee for that."})
        attribute(designee, acting_user, "Designated")
        designee.save()
    return designee


def designee_end(*, acting_user: User, designee: Designee) -> Designee:
    if not access.can_manage_designees(acting_user, designee.district):
        raise PermissionDenied
    with transaction.atomic():
        designee = Designee.objects.select_for_update().get(pk=designee.pk)
        if designee.ends_on is None:
            designee.ends_on = max(timezone.localdate(), designee.starts_on)
            attribute(designee, acting_user, "Designation ended")
            designee.save(update_fields=["ends_on"])
    return designee


# --- When a tool leaves the approved list -------------------------------------------------------

# What rests on a tool being on the list lives in apps above this one (authorizations to use it with
# students), which tools may not import. Each registers the step it takes when Django starts (see
# authorizations.apps), and the services that take a tool off the list call every step inside their
# transaction: an explicit call, the way core.notify reaches the reminder log.
ToolLeavingStep = Callable[..., object]  # called as step(acting_user=..., tool=..., reason=...)
_steps_when_a_tool_leaves: list[ToolLeavingStep] = []


def register_tool_leaving_step(step: ToolLeavingStep) -> None:
    if step not in _steps_when_a_tool_leaves:
        _steps_when_a_tool_leaves.append(step)


def _tool_left_the_list(acting_user: User, tool: Tool, reason: str) -> None:
    if not _steps_when_a_tool_leaves:
        raise RuntimeError("Nothing reacts to a tool leaving the list: is the authorizations app installed?")
    for step in _steps_when_a_tool_leaves:
        step(acting_user=acting_user, tool=tool, reason=reason)


# --- The approved-tool list -------------------------------------------------------------------

# What keepers of the list may edit; the decision fields move only through tool_decide.
TOOL_DETAIL_FIELDS = (
    "name",
    "vendor",
    "website",
    "category",
    "description",
    "is_public_social_media",
    "lowest_grade",
    "highest_grade",
    "minimum_age",
    "privacy_agreement_on_file",
    "privacy_agreement_expires_on",
    "privacy_agreement_url",
    "student_data_held",
    "parental_consent_required",
)


def _same_name(district: District, name: str, *, exclude_pk: int | None = None) -> Tool | None:
    tools = Tool.objects.filter(district=district, name__iexact=name.strip())
    if exclude_pk is not None:
        tools = tools.exclude(pk=exclude_pk)
    return tools.first()


def tool_save(*, acting_user: User, tool: Tool) -> Tool:
    """Adds a tool to the list (under review until decided) or saves changes to its details."""
    if not access.can_maintain_tools(acting_user, tool.district):
        raise PermissionDenied
    tool.name = tool.name.strip()
    if tool.is_public_social_media:
        tool.parental_consent_required = True  # the policy: public networks need parental consent
    is_new = tool.pk is None
    if is_new:
        tool.status = ToolStatus.UNDER_REVIEW
        tool.added_by = acting_user
    if _same_name(tool.district, tool.name, exclude_pk=tool.pk) is not None:
        raise ValidationError({"name": "A tool with this name is already on the list."})
    tool.full_clean(exclude=["added_by", "decided_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            attribute(tool, acting_user, "Added to the list" if is_new else "Details changed")
            tool.save()
    except IntegrityError:
        raise ValidationError({"name": "A tool with this name is already on the list."}) from None
    return tool


def _decide_tool(
    tool: Tool,
    acting_user: User,
    *,
    status: str,
    decided_as: str,
    conditions: str,
    reference: str,
    reason: str,
) -> None:
    today = timezone.localdate()
    tool.status = status
    tool.conditions = conditions.strip() if status == ToolStatus.APPROVED_WITH_CONDITIONS else ""
    tool.decided_by = acting_user
    tool.decided_as = decided_as
    tool.decided_on = today
    tool.decision_reference = reference.strip()
    tool.next_review_on = tool.review_due_after(today) if status in USABLE_TOOL_STATUSES else None
    tool.full_clean(exclude=["added_by", "decided_by"], validate_constraints=False)
    attribute(tool, acting_user, reason)
    tool.save()


def tool_decide(
    *,
    acting_user: User,
    tool: Tool,
    status: str,
    decided_as: str,
    conditions: str = "",
    reference: str = "",
) -> Tool:
    """Approve (with or without conditions) or refuse a tool; deciding again is the periodic review,
    which sets the next review date from the district's interval."""
    if status not in DECIDED_TOOL_STATUSES:
        raise ValidationError({"status": "Choose approved, approved with conditions, or not approved."})
    if status == ToolStatus.APPROVED_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": "Write down the conditions staff must follow."})
    check_capacity(acting_user, tool.district, ApprovalPower.TOOLS, decided_as, reference)
    with transaction.atomic():
        tool = Tool.objects.select_for_update().select_related("district").get(pk=tool.pk)
        reviewed = tool.status == status and status in USABLE_TOOL_STATUSES
        label = "Reviewed: still " + ToolStatus(status).label.lower() if reviewed else ToolStatus(status).label
        _decide_tool(
            tool,
            acting_user,
            status=status,
            decided_as=decided_as,
            conditions=conditions,
            reference=reference,
            reason=label,
        )
        if not tool.is_usable:
            _tool_left_the_list(acting_user, tool, reference.strip())
        # Requests waiting for this tool are answered by the decision: nobody waits on a settled question.
        answer = {
            ToolStatus.APPROVED: ToolRequestStatus.APPROVED,
            ToolStatus.APPROVED_WITH_CONDITIONS: ToolRequestStatus.APPROVED_WITH_CONDITIONS,
            ToolStatus.NOT_APPROVED: ToolRequestStatus.DECLINED,
        }[ToolStatus(status)]
        waiting = ToolRequest.objects.select_for_update().filter(
            Q(tool=tool) | Q(tool_name__iexact=tool.name), district=tool.district, status=ToolRequestStatus.WAITING
        )
        for waiting_request in waiting:
            _close_request(
                waiting_request,
                acting_user,
                answer,
                decided_as,
                f"Decided on the tool's page: {label}.",
                reference,
                tool,
            )
    return tool


def tool_set_aside(*, acting_user: User, tool: Tool, status: str, reason: str) -> Tool:
    """Put a tool back under review (say, when its privacy agreement lapsed) or retire it."""
    if status not in (ToolStatus.UNDER_REVIEW, ToolStatus.RETIRED):
        raise ValidationError({"status": "Choose under review or retired."})
    if not access.can_maintain_tools(acting_user, tool.district):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so staff know what changed."})
    with transaction.atomic():
        tool = Tool.objects.select_for_update().select_related("district").get(pk=tool.pk)
        tool.status = status
        tool.next_review_on = None
        attribute(tool, acting_user, f"{ToolStatus(status).label}: {reason.strip()}"[:100])
        tool.save()
        _tool_left_the_list(acting_user, tool, reason.strip())
    return tool


# --- Tool requests -----------------------------------------------------------------------------


def tool_request_submit(*, acting_user: User, tool_request: ToolRequest) -> ToolRequest:
    """A staff member asks for a tool. A tool already usable needs no request: they are told so."""
    district = acting_user.district
    if district is None or not access.can_request_tool(acting_user):
        raise PermissionDenied
    tool_request.district = district
    tool_request.requested_by = acting_user
    tool_request.status = ToolRequestStatus.WAITING
    tool_request.tool_name = tool_request.tool_name.strip()
    if tool_request.school is not None and tool_request.school.district_id != tool_request.district.pk:
        raise ValidationError({"school": "Choose a school of your district."})
    existing = _same_name(tool_request.district, tool_request.tool_name)
    if existing is not None and existing.is_usable:
        raise ValidationError(
            {"tool_name": f"{existing.name} is already {existing.get_status_display().lower()}: you may use it."}
        )
    tool_request.tool = existing
    tool_request.full_clean(exclude=["requested_by", "decided_by"], validate_constraints=False)
    with transaction.atomic():
        attribute(tool_request, acting_user, "Requested")
        tool_request.save()
    return tool_request


def _locked_request(tool_request: ToolRequest) -> ToolRequest:
    # The district's row first: two requests for the same new tool decided at once must not both
    # add it to the list (the second finds the first's tool instead of breaking the unique name).
    District.objects.select_for_update().filter(pk=tool_request.district_id).first()
    locked = ToolRequest.objects.select_for_update(of=("self",)).select_related("district").get(pk=tool_request.pk)
    if not locked.is_waiting:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}.")
    return locked


def tool_request_approve(
    *,
    acting_user: User,
    tool_request: ToolRequest,
    decided_as: str,
    conditions: str = "",
    reference: str = "",
    reason: str = "",
) -> ToolRequest:
    """Approving a request puts the tool on the list as approved (with conditions, if any)."""
    check_capacity(acting_user, tool_request.district, ApprovalPower.TOOLS, decided_as, reference)
    status = ToolStatus.APPROVED_WITH_CONDITIONS if conditions.strip() else ToolStatus.APPROVED
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool = _same_name(tool_request.district, tool_request.tool_name)
        if tool is None:
            tool = Tool(
                district=tool_request.district,
                name=tool_request.tool_name,
                website=tool_request.website,
                is_public_social_media=tool_request.is_public_social_media,
                parental_consent_required=tool_request.is_public_social_media,
                lowest_grade=tool_request.lowest_grade,
                highest_grade=tool_request.highest_grade,
                added_by=acting_user,
            )
        tool = Tool.objects.select_for_update().get(pk=tool.pk) if tool.pk else tool
        tool.district = tool_request.district
        _decide_tool(
            tool,
            acting_user,
            status=status,
            decided_as=decided_as,
            conditions=conditions,
            reference=reference,
            reason=f"Approved on request #{tool_request.pk}",
        )
        _close_request(tool_request, acting_user, status, decided_as, reason, reference, tool)
    return tool_request


def tool_request_decline(
    *, acting_user: User, tool_request: ToolRequest, decided_as: str, reason: str, reference: str = ""
) -> ToolRequest:
    """Declining keeps the reason; a tool not yet on the list goes on it as not approved, so the
    next person who asks sees the answer."""
    if not reason.strip():
        raise ValidationError({"decision_reason": "Give the reason, so the person asking understands."})
    check_capacity(acting_user, tool_request.district, ApprovalPower.TOOLS, decided_as, reference)
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool = _same_name(tool_request.district, tool_request.tool_name)
        if tool is None or tool.status == ToolStatus.UNDER_REVIEW:
            tool = tool or Tool(
                district=tool_request.district,
                name=tool_request.tool_name,
                website=tool_request.website,
                is_public_social_media=tool_request.is_public_social_media,
                added_by=acting_user,
            )
            tool.district = tool_request.district
            _decide_tool(
                tool,
                acting_user,
                status=ToolStatus.NOT_APPROVED,
                decided_as=decided_as,
                conditions="",
                reference=reference,
                reason=f"Not approved on request #{tool_request.pk}",
            )
        _close_request(tool_request, acting_user, ToolRequestStatus.DECLINED, decided_as, reason, reference, tool)
    return tool_request


def _close_request(
    tool_request: ToolRequest,
    acting_user: User,
    status: str,
    decided_as: str,
    reason: str,
    reference: str,
    tool: Tool,
) -> None:
    tool_request.status = status
    tool_request.tool = tool
    tool_request.record_decision(by=acting_user, capacity=decided_as, reason=reason, reference=reference)
    tool_request.full_clean(exclude=["requested_by", "decided_by"], validate_constraints=False)
    attribute(tool_request, acting_user, ToolRequestStatus(status).label)
    tool_request.save()
    notify_requester(
        kind="tool_request_decided",
        district_id=tool_request.district_id,
        requester_id=tool_request.requested_by_id,
        acting_user_id=acting_user.pk,
        object_key=f"tool_request:{tool_request.pk}",
        period="decided",
        path=tool_request.get_absolute_url(),
    )


def tool_request_withdraw(*, acting_user: User, tool_request: ToolRequest) -> ToolRequest:
    if tool_request.requested_by_id != acting_user.pk:
        raise PermissionDenied
    with transaction.atomic():
        tool_request = _locked_request(tool_request)
        tool_request.status = ToolRequestStatus.WITHDRAWN
        attribute(tool_request, acting_user, "Withdrawn")
        tool_request.save(update_fields=["status"])
    return tool_request


# --- Written permission to use the district logo ---------------------------------------------


def logo_permission_grant(
    *,
    acting_user: User,
    subject: Tool | Any,
    decided_as: str,
    granted_by_name: str,
    granted_on: datetime.date,
    written_as: str,
    reference: str = "",
    conditions: str = "",
) -> LogoPermission:
    """Records written permission to use the logo on `subject` (a tool, or an official account:
    anything with `district` and `logo_permissions`); it replaces any earlier one."""
    district = subject.district
    check_capacity(acting_user, district, ApprovalPower.LOGO_USE, decided_as, reference)
    if not district.logo_permission_required:
        raise ValidationError(
            _("Your district's policy provides no written permission to use the logo: there is none to record.")
        )
    if granted_on > timezone.localdate():
        raise ValidationError({"granted_on": "The date cannot be in the future."})
    permission = subject.logo_permissions.model(
        district=district,
        subject=subject,
        decided_as=decided_as,
        granted_by_name=granted_by_name.strip(),
        granted_on=granted_on,
        written_as=written_as,
        reference=reference.strip(),
        conditions=conditions.strip(),
        recorded_by=acting_user,
    )
    permission.full_clean(exclude=["recorded_by", "withdrawn_by"], validate_constraints=False)
    with transaction.atomic():
        type(subject).objects.select_for_update().filter(pk=subject.pk).get()  # one grant at a time per subject
        for earlier in subject.logo_permissions.filter(withdrawn_on__isnull=True):
            _withdraw(earlier, acting_user, "Replaced by a new permission")
        attribute(permission, acting_user, "Logo permission granted")
        permission.save()
    return permission


def _withdraw(permission: LogoPermission, acting_user: User, reason: str) -> None:
    permission.withdrawn_on = timezone.localdate()
    permission.withdrawn_by = acting_user
    permission.withdrawal_reason = reason
    attribute(permission, acting_user, "Logo permission withdrawn")
    permission.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])


def logo_permission_withdraw(*, acting_user: User, permission: LogoPermission, reason: str) -> LogoPermission:
    if not access.can_record_logo_permission(acting_user, permission.district):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": "Say why the permission is withdrawn."})
    with transaction.atomic():
        permission = type(permission)._default_manager.select_for_update().get(pk=permission.pk)
        if permission.withdrawn_on is None:
            _withdraw(permission, acting_user, reason.strip()[:500])
    return permission


# --- Speaking for the district ---------------------------------------------------------------


def spokesperson_grant(
    *,
    acting_user: User,
    district: District,
    person: User,
    subject: str,
    decided_as: str,
    granted_by_name: str,
    granted_on: datetime.date,
    until: datetime.date | None = None,
    reference: str = "",
) -> Spokesperson:
    """Records that `person` may speak for the district on `subject`, authorized by whom the policy
    names, in the capacity they hold (a Board decision cites its minutes), until `until` or withdrawn."""
    check_capacity(acting_user, district, ApprovalPower.SPOKESPERSON, decided_as, reference)
    if person.district_id != district.pk or not person.is_active:
        raise ValidationError({"person": "Choose an active staff member of the district."})
    if granted_on > timezone.localdate():
        raise ValidationError({"granted_on": "The date cannot be in the future."})
    spokesperson = Spokesperson(
        district=district,
        person=person,
        subject=subject.strip(),
        decided_as=decided_as,
        granted_by_name=granted_by_name.strip(),
        granted_on=granted_on,
        until=until,
        reference=reference.strip(),
        recorded_by=acting_user,
    )
    spokesperson.full_clean(exclude=["recorded_by", "withdrawn_by"])
    with transaction.atomic():
        attribute(spokesperson, acting_user, "Authorized to speak for the district")
        spokesperson.save()
    return spokesperson


def spokesperson_withdraw(*, acting_user: User, spokesperson: Spokesperson, reason: str) -> Spokesperson:
    """Ends an authorization today; the register keeps it, with who withdrew it and why."""
    if not access.can_authorize_spokespeople(acting_user, spokesperson.district):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"withdrawal_reason": "Say why the authorization ends."})
    with transaction.atomic():
        spokesperson = Spokesperson.objects.select_for_update().get(pk=spokesperson.pk)
        if spokesperson.withdrawn_on is None:
            spokesperson.withdrawn_on = timezone.localdate()
            spokesperson.withdrawn_by = acting_user
            spokesperson.withdrawal_reason = reason.strip()[:500]
            attribute(spokesperson, acting_user, "Authorization to speak for the district withdrawn")
            spokesperson.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])
    return spokesperson


# --- The families' technology notice ---------------------------------------------------------------


def technology_notice_years(district: District) -> list[int]:
    """The school years a notice may be published for: this one and the next (a notice due by
    August 1 is published before the school year starts)."""
    this = district.school_year_for()
    return [this.start_year, this.next().start_year]


def technology_notice_publish(*, acting_user: User, district: District, school_year: int) -> TechnologyNotice:
    """The director publishes the notice of `school_year`: the approved providers holding student
    data as they stand now, kept as published, on the district's public page. Publishing again
    replaces the list (and its date); the history keeps who published when."""
    if not access.can_publish_technology_notice(acting_user, district):
        raise PermissionDenied
    if school_year not in technology_notice_years(district):
        raise ValidationError({"school_year": _("Choose this school year or the next.")})
    with transaction.atomic():
        # One publication at a time per district: two directors publishing at once write one row.
        District.objects.select_for_update().filter(pk=district.pk).exists()
        notice = TechnologyNotice.objects.filter(district=district, school_year=school_year).first()
        again = notice is not None
        if notice is None:
            notice = TechnologyNotice(district=district, school_year=school_year)
        tools = selectors.technology_notice_tools(district)
        notice.entries = [selectors.technology_notice_entry(tool) for tool in tools]
        notice.published_at = timezone.now()
        notice.published_by = acting_user
        attribute(notice, acting_user, "Published again" if again else "Published")
        notice.save()
    return notice


# How many guardians' e-mails are claimed per statement batch.
FAMILY_BATCH = 2000


def technology_notice_families(district: District) -> QuerySet[Guardian]:
    """Each current parent or guardian of an active student of the district with an e-mail address, once."""
    links = StudentGuardian.objects.filter(
        guardian=OuterRef("pk"), ended_on__isnull=True, student__active=True, student__district=district
    )
    return Guardian.objects.filter(district=district, active=True).exclude(email="").filter(Exists(links))


def technology_notice_send_to_families(*, acting_user_id: int, notice_id: int) -> int:
    """Owe each family with an e-mail address the notice's address, in their language, through the
    reminder log: once per guardian and school year however often it is sent (a Celery task calls
    this with ids). Returns how many e-mails were newly owed."""
    acting_user = User.objects.select_related("district").get(pk=acting_user_id)
    notice = TechnologyNotice.objects.select_related("district").get(pk=notice_id)
    district = notice.district
    if not access.can_publish_technology_notice(acting_user, district):
        raise PermissionDenied
    path = notice.public_path()
    families = technology_notice_families(district).order_by("pk").values_list("pk", "preferred_language")
    with transaction.atomic():
        owed = notify_many(
            Notice(
                kind="technology_notice_to_family",
                district_id=district.pk,
                recipient_id=None,
                guardian_id=guardian_id,
                object_key=f"technology_notice:{notice.pk}",
                period=str(notice.school_year),
                path=f"{path}&language={supported(language) or settings.LANGUAGE_CODE}",
            )
            for guardian_id, language in families.iterator(chunk_size=FAMILY_BATCH)
        )
        notice.sent_to_families_at, notice.sent_to_families_by = timezone.now(), acting_user
        attribute(notice, acting_user, "Sent to families")
        notice.save(update_fields=["sent_to_families_at", "sent_to_families_by"])
    return owed
