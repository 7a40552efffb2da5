"""The logo-permission part of a page, shared by the tool pages and the official-account pages: the
permission in force, earlier ones, and the forms to record or withdraw one for whoever the policy lets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.http import AuthenticatedHttpRequest
from accounts.models import District
from core.refusals import add_refusal, require
from tools import access, selectors, services
from tools.forms import LogoPermissionGrantForm, LogoPermissionWithdrawForm
from tools.models import ApprovalPower, LogoPermission


def in_sentence(label: str) -> str:
    """A choice label inside a sentence: “The Superintendent or designee” → “the Superintendent or designee”."""
    return label[:1].lower() + label[1:]


LOGO_ERROR_ALIASES = {"decision_reference": "reference"}


def logo_section(
    request: AuthenticatedHttpRequest,
    district: District,
    permissions: QuerySet[LogoPermission],
    *,
    grant_url: str,
    withdraw_url: str,
    form: LogoPermissionGrantForm | None = None,
    withdraw_form: LogoPermissionWithdrawForm | None = None,
) -> dict[str, Any]:
    """What templates/tools/_logo_permission.html shows: the permission in force, earlier ones,
    and, for whoever the policy lets record one, the forms (limited to the capacities they hold)."""
    capacities = access.decision_capacities(request.user, district, ApprovalPower.LOGO_USE)
    if not district.logo_permission_required:
        capacities = []  # nothing to record where the policy provides no permission
    records = list(permissions.select_related("recorded_by", "withdrawn_by").order_by("-recorded_at", "-pk")[:10])
    current = next((permission for permission in records if permission.withdrawn_on is None), None)
    if capacities and form is None:
        form = LogoPermissionGrantForm(capacities=capacities, user=request.user, auto_id="logo_%s")
    return {
        "approver": in_sentence(district.get_logo_use_approver_display()),
        "required": district.logo_permission_required,
        "current": current,
        "earlier": [permission for permission in records if permission is not current],
        "can_record": bool(capacities),
        "form": form,
        "withdraw_form": withdraw_form or LogoPermissionWithdrawForm(auto_id="logo_withdraw_%s"),
        "grant_url": grant_url,
        "withdraw_url": withdraw_url,
    }


# A tool, or an official account: anything with `district` and `logo_permissions`.
LogoSubject = Any
PageRenderer = Callable[..., HttpResponse]


def logo_grant(
    request: AuthenticatedHttpRequest,
    subject: LogoSubject,
    page: PageRenderer,
    grant: Callable[..., LogoPermission] = services.logo_permission_grant,
) -> HttpResponse:
    """Record written permission for an account or a tool through `grant` (the service of the app the
    subject belongs to); the page is re-shown with the form's errors."""
    capacities = access.decision_capacities(request.user, subject.district, ApprovalPower.LOGO_USE)
    require(bool(capacities))
    form = LogoPermissionGrantForm(request.POST, capacities=capacities, user=request.user, auto_id="logo_%s")
    if form.is_valid():
        try:
            grant(acting_user=request.user, subject=subject, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error, LOGO_ERROR_ALIASES)
        else:
            messages.success(request, "The permission to use the district logo is recorded.")
            return redirect(subject)
    return page(request, subject, logo_form=form)


def logo_withdraw(request: AuthenticatedHttpRequest, subject: LogoSubject, page: PageRenderer) -> HttpResponse:
    require(access.can_record_logo_permission(request.user, subject.district))
    permission = selectors.current_logo_permission(subject)
    if permission is None:
        messages.info(request, "There is no permission in force to withdraw.")
        return redirect(subject)
    form = LogoPermissionWithdrawForm(request.POST, auto_id="logo_withdraw_%s")
    if form.is_valid():
        try:
            services.logo_permission_withdraw(
                acting_user=request.user, permission=permission, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, "The logo permission is withdrawn: the district logo may no longer be used.")
            return redirect(subject)
    return page(request, subject, logo_withdraw_form=form)
