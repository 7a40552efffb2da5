"""Thin views over the registry: resolve access through registry.access, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access as directory_access
from accounts import selectors as account_selectors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import District, User
from core.counted import counted
from core.csv_response import csv_response
from core.forms import SearchForm
from core.history import history_page_number as page_number
from core.pagination import page_by_ids
from core.refusals import add_refusal, refusal_messages, require, show_refusal
from core.sorting import Sorting
from registry import access, history, selectors, services
from registry.filters import ACCOUNT_SORTS, AccountFilter
from registry.forms import NO_PASSWORDS, AccountForm, ActivateForm, AdministratorForm, ReasonForm, ReviewForm
from registry.models import AccountStatus, AdministratorRole, SocialAccount
from tools.forms import LogoPermissionGrantForm, LogoPermissionWithdrawForm
from tools.logo import logo_grant, logo_section, logo_withdraw
from tools.models import LogoPermission

PAGE_SIZE = 50


def _listing(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return selectors.with_attention(
        accounts.select_related("platform", "school", "program", "district", "owner_staff")
    ).order_by("display_name", "pk")


def _filtered(request: AuthenticatedHttpRequest) -> AccountFilter:
    return AccountFilter(
        request.GET,
        request=request,
        queryset=_listing(access.visible_accounts(request.user)),
        schools=directory_access.visible_schools(request.user).filter(active=True).order_by("name"),
    )


@login_required
def account_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    account_filter = _filtered(request)
    visible = access.visible_accounts(request.user)
    counts = counted(f"registry:attention:{request.user.pk}", lambda: selectors.attention_counts(visible))
    filters = {name: str(request.GET.get(name, "")) for name in account_filter.filters}
    # The counts above the list already hold its length when only attention filters it.
    known = selectors.counted_pages(counts.value, filters)
    sorting = Sorting(request, ACCOUNT_SORTS, default="name")
    page = page_by_ids(sorting.apply(account_filter.qs), request.GET.get("page"), PAGE_SIZE, count=known)
    return render(
        request,
        "registry/account_list.html",
        {
            "filter": account_filter,
            "sorting": sorting,
            "page": page,
            "counts": counts.value,
            "counted_at": counts.counted_at,
            "export_query": request.GET.urlencode(),
            "can_register": request.user.district is not None
            and access.can_register(request.user, request.user.district),
        },
    )


# The rows are annotated (administrator count, attention, last re-certification): read as Any.
EXPORT_COLUMNS: list[tuple[str, Callable[[Any], object]]] = [
    ("Display name", lambda a: a.display_name),
    ("Platform", lambda a: a.platform.name),
    ("Handle", lambda a: a.handle),
    ("Profile address", lambda a: a.profile_url),
    ("Represents", lambda a: a.owner_name),
    ("School", lambda a: a.school.name if a.school_id else ""),
    ("Status", lambda a: a.get_status_display()),
    ("Current administrators", lambda a: a.administrator_count),
    ("Below minimum", lambda a: "yes" if a.is_below_minimum else ""),
    ("Launched on", lambda a: a.launched_on or ""),
    ("Last re-certified", lambda a: a.last_recertified_on or ""),
    ("Next review due", lambda a: a.next_review_on or ""),
    ("Review overdue", lambda a: "yes" if a.is_review_overdue else ""),
]


@login_required
def account_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV, streamed so a district of 20,000 accounts costs constant memory."""
    sorted_accounts = Sorting(request, ACCOUNT_SORTS, default="name").apply(_filtered(request).qs)
    accounts = selectors.with_last_recertification(sorted_accounts)
    return csv_response(
        f"official-accounts-{timezone.localdate().isoformat()}.csv",
        [name for name, _value in EXPORT_COLUMNS],
        ([value(account) for _name, value in EXPORT_COLUMNS] for account in accounts.iterator(chunk_size=1000)),
    )


@login_required
def my_accounts(request: AuthenticatedHttpRequest) -> HttpResponse:
    accounts = _listing(access.accounts_of_user(request.user))
    administrations = request.user.administered_accounts.filter(ends_on__isnull=True, policy_acknowledged_on=None)
    return render(
        request,
        "registry/my_accounts.html",
        {
            "page": Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page")),
            "unacknowledged": administrations.select_related("account").order_by("account__display_name")[:20],
            "policy_documents": list(account_selectors.current_policy_documents(request.user.district))
            if request.user.district
            else [],
        },
    )


def _account_form(
    request: AuthenticatedHttpRequest, *, district: District, mode: str, instance: SocialAccount | None = None
) -> AccountForm:
    return AccountForm(
        request.POST or None,
        instance=instance,
        district=district,
        schools=district.schools.all(),
        mode=mode,
        requester=request.user,
    )


def _save_account(
    request: AuthenticatedHttpRequest, form: AccountForm, action: Callable[..., SocialAccount]
) -> SocialAccount | None:
    """Run the service; put its refusals on the form so nothing is lost from what was typed."""
    try:
        return action()
    except services.DuplicateAccount as duplicate:
        form.duplicate = duplicate.existing if _can_see(request, duplicate.existing) else True
        form.add_error(None, _("This account is already registered."))
    except ValidationError as error:
        add_refusal(form, error)
    return None


def _can_see(request: AuthenticatedHttpRequest, account: SocialAccount) -> bool:
    return access.visible_accounts(request.user).filter(pk=account.pk).exists()


@login_required
def account_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    district = request.user.district
    if district is None or not access.can_request(request.user):
        raise PermissionDenied
    mode = "register" if access.can_register(request.user, district) and request.GET.get("existing") else "request"
    form = _account_form(request, district=district, mode=mode)
    if request.method == "POST" and form.is_valid():
        common = {
            "acting_user": request.user,
            "platform": form.cleaned_data["platform"],
            "address": form.address,
            "details": form.details(),
            "administrators": form.designations,
        }
        if mode == "register":
            account = _save_account(
                request,
                form,
                lambda: services.account_register(
                    district=district, launched_on=form.cleaned_data.get("launched_on"), **common
                ),
            )
        else:
            account = _save_account(request, form, lambda: services.account_request(**common))
        if account is not None:
            messages.success(request, _created_message(account))
            return redirect(account)
    return render(
        request,
        "registry/account_form.html",
        {"form": form, "mode": mode, "district": district, "no_passwords": NO_PASSWORDS},
    )


def _created_message(account: SocialAccount) -> str:
    if account.status == AccountStatus.REQUESTED:
        return _("Your request was sent to the technology director for approval.")
    if account.status == AccountStatus.AWAITING_COMMUNICATIONS:
        return _("Registered. The communications office must see the page before it launches.")
    if account.status == AccountStatus.APPROVED:
        return _("Registered. Add its administrators, then mark it as launched.")
    return _("Registered and active.")


@login_required
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _account_page(request, access.get_account_for_user(request.user, pk))


def _account_page(
    request: AuthenticatedHttpRequest,
    account: SocialAccount,
    *,
    logo_form: LogoPermissionGrantForm | None = None,
    logo_withdraw_form: LogoPermissionWithdrawForm | None = None,
) -> HttpResponse:
    account = (
        selectors.with_last_recertification(selectors.with_attention(SocialAccount.objects.filter(pk=account.pk)))
        .select_related(
            "district",
            "platform",
            "school",
            "program",
            "owner_staff",
            "requested_by",
            "decided_by",
            "communications_confirmed_by",
        )
        .get()
    )
    user = request.user
    administers = access.is_current_administrator(user, account)
    administrators = list(account.administrators.select_related("user").order_by("ends_on", "role", "starts_on"))
    return render(
        request,
        "registry/account_detail.html",
        {
            "account": account,
            "administrators": administrators,
            "current_administrators": [a for a in administrators if a.ends_on is None],
            "departed_primary": next(
                (
                    a
                    for a in administrators
                    if a.ends_on is None and a.role == AdministratorRole.PRIMARY and not a.user.is_active
                ),
                None,
            ),
            "past_administrators": [a for a in administrators if a.ends_on is not None],
            # What an administrator acknowledges: the district's policy documents in force.
            "policy_documents": list(account_selectors.current_policy_documents(account.district)),
            "reviews": account.reviews.select_related("reviewed_by")[:20],
            "history": history.account_history(account, number=page_number(request)),
            "today": timezone.localdate(),
            "administers": administers,
            "can": {
                "decide": access.can_decide(user, account),
                "confirm_communications": access.can_confirm_communications(user, account),
                "manage_administrators": access.can_manage_administrators(user, account),
                "edit": access.can_edit(user, account, administers=administers),
                "review": access.can_review(user, account, administers=administers),
                "activate": access.can_activate(user, account, administers=administers),
            },
            "reason_form": ReasonForm(),
            "activate_form": ActivateForm(),
            "administrator_form": AdministratorForm(district=account.district),
            "logo": logo_section(
                request,
                account.district,
                account.logo_permissions.all(),
                grant_url=reverse("registry:account_logo", args=[account.pk]),
                withdraw_url=reverse("registry:account_logo_withdraw", args=[account.pk]),
                form=logo_form,
                withdraw_form=logo_withdraw_form,
            ),
        },
    )


@login_required
def account_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk)
    administers = access.is_current_administrator(request.user, account)
    if not access.can_edit(request.user, account, administers=administers):
        raise PermissionDenied
    form = _account_form(request, district=account.district, mode="edit", instance=account)
    # A valid form has recognised the profile address (clean() refuses one it cannot read).
    if request.method == "POST" and form.is_valid() and (address := form.address) is not None:
        saved = _save_account(
            request,
            form,
            lambda: services.account_update(
                acting_user=request.user,
                account=account,
                platform=form.cleaned_data["platform"],
                address=address,
                details=form.details(),
            ),
        )
        if saved is not None:
            messages.success(request, _("The account was saved."))
            return redirect(saved)
    return render(
        request,
        "registry/account_form.html",
        {"form": form, "mode": "edit", "account": account, "district": account.district, "no_passwords": NO_PASSWORDS},
    )


def _act(
    request: AuthenticatedHttpRequest, account: SocialAccount, action: Callable[[], Any], success: str
) -> HttpResponse:
    """Run one workflow step; refusals come back as messages on the account's page."""
    try:
        action()
    except ValidationError as error:
        show_refusal(request, error)
    else:
        messages.success(request, success)
    return redirect(account)


def _reason(request: AuthenticatedHttpRequest) -> str:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise ValidationError(refusal_messages(ValidationError(list(form.errors.get("reason", [])))))
    reason: str = form.cleaned_data["reason"]
    return reason


@require_POST
@login_required
def account_transition(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk)
    user = request.user
    steps: dict[str, tuple[Callable[[], Any], str]] = {
        "approve": (lambda: services.account_approve(acting_user=user, account=account), _("Approved.")),
        "reject": (
            lambda: services.account_reject(acting_user=user, account=account, reason=_reason(request)),
            _("Marked as not approved; the requester can see why."),
        ),
        "communications": (
            lambda: services.account_confirm_communications(acting_user=user, account=account),
            _("Recorded: the communications office has seen the page."),
        ),
        "activate": (lambda: _activate(request, account), _("The account is active.")),
        "suspend": (
            lambda: services.account_suspend(acting_user=user, account=account, reason=_reason(request)),
            _("Suspended."),
        ),
        "reinstate": (lambda: services.account_reinstate(acting_user=user, account=account), _("Reinstated.")),
        "retire": (
            lambda: services.account_retire(acting_user=user, account=account, reason=_reason(request)),
            _("Retired. The record and its history are kept."),
        ),
    }
    if step not in steps:
        raise Http404
    # Who may not take the step is refused before the form is read: "say why" is no answer to them.
    require(access.can_take_step(user, account, step))
    action, success = steps[step]
    return _act(request, account, action, success)


def _activate(request: AuthenticatedHttpRequest, account: SocialAccount) -> SocialAccount:
    form = ActivateForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Enter a valid launch date."))
    return services.account_activate(
        acting_user=request.user, account=account, launched_on=form.cleaned_data["launched_on"]
    )


@require_POST
@login_required
def administrator_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk)
    require(access.can_manage_administrators(request.user, account))
    form = AdministratorForm(request.POST, district=account.district)
    user = form.user if form.is_valid() else None  # a valid form found the person (clean_email)
    if user is None:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(account)
    return _act(
        request,
        account,
        lambda: services.administrator_add(
            acting_user=request.user, account=account, user=user, role=form.cleaned_data["role"]
        ),
        _("%(name)s is now an administrator.") % {"name": user.full_name or user.email},
    )


@require_POST
@login_required
def administrator_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    administrator = access.get_administrator_for_user(request.user, pk)
    return _act(
        request,
        administrator.account,
        lambda: services.administrator_end(acting_user=request.user, administrator=administrator),
        _("The designation has ended."),
    )


@require_POST
@login_required
def administrator_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    administrator = access.get_administrator_for_user(request.user, pk)
    return _act(
        request,
        administrator.account,
        lambda: services.administrator_acknowledge_policy(acting_user=request.user, administrator=administrator),
        _("Thank you: your acknowledgement of the policy is recorded."),
    )


@login_required
def account_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = access.get_account_for_user(request.user, pk)
    administers = access.is_current_administrator(request.user, account)
    require(access.can_review(request.user, account, administers=administers))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_review_record(acting_user=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect(account)
    administrators = selectors.current_administrators().filter(account=account).select_related("user")
    return render(
        request,
        "registry/account_review.html",
        {"account": account, "form": form, "administrators": administrators},
    )


@require_POST
@login_required
def account_logo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record written permission to use the district logo on this account (it replaces any earlier one)."""
    return logo_grant(request, access.get_account_for_user(request.user, pk), _account_page, _grant_logo)


def _grant_logo(*, acting_user: User, subject: SocialAccount, **permission: Any) -> LogoPermission:
    return services.account_logo_permission_grant(acting_user=acting_user, account=subject, **permission)


@require_POST
@login_required
def account_logo_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return logo_withdraw(request, access.get_account_for_user(request.user, pk), _account_page)


# --- Public directory: no sign-in ------------------------------------------------------------


def public_directory(request: HttpRequest, slug: str) -> HttpResponse:
    """Families check that a page is real. Only what the page itself already shows the public."""
    district = District.objects.filter(slug=slug, public_directory_enabled=True).first()
    if district is None:
        raise Http404
    accounts = selectors.public_directory(district.pk)
    query = SearchForm(request.GET).query()
    if query:
        accounts = selectors.account_search(accounts, query)
    page = Paginator(accounts, 100).get_page(request.GET.get("page"))
    return render(request, "registry/public_directory.html", {"district": district, "page": page, "query": query})
