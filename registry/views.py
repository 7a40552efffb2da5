"""Thin views over the registry: resolve access through registry.access, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from django_stubs_ext import StrOrPromise

from accounts import access as directory_access
from accounts import pickers
from accounts import selectors as account_selectors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import District, Program, User
from core import bulk
from core.counted import counted
from core.csv_response import csv_response
from core.forms import SearchForm
from core.history import history_page_number as page_number
from core.pagination import page_by_ids
from core.refusals import add_refusal, refusal_messages, require, show_refusal
from core.sorting import Sorting
from registry import access, history, profile_urls, report_guard, selectors, services
from registry.filters import ACCOUNT_SORTS, AccountFilter
from registry.forms import (
    NO_PASSWORDS,
    AccountForm,
    ActivateForm,
    AdministratorForm,
    FakeReportForm,
    FakeReportOutcomeForm,
    FakeReportPlatformForm,
    FakeReportVerdictForm,
    PublicFakeReportForm,
    ReasonForm,
    RecertifyManyForm,
    ReviewForm,
)
from registry.models import AccountStatus, AdministratorRole, FakeAccountReport, SocialAccount
from tools.forms import LogoPermissionGrantForm, LogoPermissionWithdrawForm
from tools.logo import logo_grant, logo_section, logo_withdraw
from tools.models import LogoPermission

PAGE_SIZE = 50


def _listing(accounts: QuerySet[SocialAccount]) -> QuerySet[SocialAccount]:
    return selectors.with_attention(
        accounts.select_related("platform", "school", "program", "district", "owner_staff")
    ).order_by("display_name", "pk")


def _filtered(request: AuthenticatedHttpRequest, data: QueryDict | None = None) -> AccountFilter:
    return AccountFilter(
        request.GET if data is None else data,
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
            "bulk_actions": _bulk_actions(request),
            "bulk_filters": [(name, value) for name, value in request.GET.items() if name in BULK_FILTERS and value],
            "follows_up_reports": _follows_up_somewhere(request.user),
        },
    )


# --- Several accounts at once: preview (GET), confirm (POST); core.bulk ---------------------------

BULK_FILTERS = ("q", "school", "platform", "status", "attention")


def _bulk_actions(request: AuthenticatedHttpRequest) -> list[tuple[str, str]]:
    """The bulk actions the list offers this user: approving is the director's."""
    actions = [(reverse("registry:account_bulk", args=["recertify"]), _("Re-certify…"))]
    district = request.user.district
    if district is not None and access.can_register(request.user, district):
        actions.insert(0, (reverse("registry:account_bulk", args=["approve"]), _("Approve…")))
    return actions


def _bulk_preview(request: AuthenticatedHttpRequest, action: str, accounts: list[Any]) -> bulk.Preview[Any]:
    if action == "approve":
        return bulk.preview(accounts, lambda account: services.approve_refusal(request.user, account))
    administered = access.administered_among(request.user, [account.pk for account in accounts])
    today = timezone.localdate()
    return bulk.preview(
        accounts,
        lambda account: services.recertify_refusal(
            request.user, account, administers=account.pk in administered, today=today
        ),
    )


def _bulk_run(
    request: AuthenticatedHttpRequest, action: str, accounts: list[Any], form: RecertifyManyForm | None
) -> bulk.Result[Any]:
    if form is None:
        return services.account_approve_many(acting_user=request.user, accounts=accounts)
    return services.account_recertify_many(acting_user=request.user, accounts=accounts, **form.cleaned_data)


BULK_TITLES = {"approve": _("Approve several accounts"), "recertify": _("Re-certify several accounts")}


@login_required
def account_bulk(request: AuthenticatedHttpRequest, action: str) -> HttpResponse:
    """The accounts chosen on the list: what the action will do to each (GET), then doing it (POST).
    "All matching" is the list's filter, read again here under the user's access each time."""
    if action not in BULK_TITLES:
        raise Http404
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    form = RecertifyManyForm(request.POST if posted else None) if action == "recertify" else None
    context: dict[str, Any] = {"title": BULK_TITLES[action], "form": form, "back": reverse("registry:account_list")}
    try:
        selection = bulk.selection_from(data, BULK_FILTERS)
        listed = selectors.with_last_recertification(_listing(access.visible_accounts(request.user)))
        matching = selectors.with_last_recertification(_filtered(request, selection.filter_data()).qs)
        accounts = bulk.chosen(selection, matching=matching, visible=listed)
    except bulk.TooMany as error:
        return render(request, "registry/account_bulk.html", {**context, "refusal": error.message}, status=400)
    context.update(selection=selection, back=f"{context['back']}?{selection.filter_query()}")
    if posted and (form is None or form.is_valid()):
        context["result"] = _bulk_run(request, action, accounts, form)
    else:
        context.update(preview=_bulk_preview(request, action, accounts), way=bulk.way_of(_all_or_nothing(action)))
    return render(request, "registry/account_bulk.html", context)


def _all_or_nothing(action: str) -> bool:
    return services.APPROVE_ALL_OR_NOTHING if action == "approve" else services.RECERTIFY_ALL_OR_NOTHING


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
    """Families check that a page is real. Only what the page itself already shows the public, and
    whether the district has confirmed that a page is not official (asked about one address at a
    time: the pages found fake are not listed, some show a student)."""
    district = _published(slug)
    accounts = selectors.public_directory(district.pk)
    query = SearchForm(request.GET).query()
    if query:
        accounts = selectors.account_search(accounts, query)
    page = Paginator(accounts, 100).get_page(request.GET.get("page"))
    checked, standing = _page_standing(district, str(request.GET.get("check", ""))[:500].strip())
    return render(
        request,
        "registry/public_directory.html",
        {"district": district, "page": page, "query": query, "checked": checked, "standing": standing},
    )


def _page_standing(district: District, address: str) -> tuple[str, str]:
    """“Is this page ours?”: (the address asked about, official / not_official / unknown / unreadable)."""
    if not address:
        return "", ""
    try:
        _platform, profile = profile_urls.read_reported(address)
    except profile_urls.ProfileAddressError:
        return address, "unreadable"
    if profile is None:
        return address, "unreadable"
    return address, selectors.page_standing(district.pk, profile)


def _published(slug: str) -> District:
    district = District.objects.filter(slug=slug, public_directory_enabled=True).first()
    if district is None:
        raise Http404
    return district


def _client_address(request: HttpRequest) -> str:
    return str(get_adapter(request).get_client_ip(request) or "")


def public_report(request: HttpRequest, slug: str) -> HttpResponse:
    """“Report a page that claims to be ours”: no sign-in, so guarded (registry.report_guard)."""
    district = _published(slug)
    status = 200
    if request.method == "POST":
        if report_guard.turned_away(_client_address(request)):
            return render(request, "registry/public_report_busy.html", {"district": district}, status=429)
        form = PublicFakeReportForm(request.POST, ticket=report_guard.current(str(request.POST.get("ticket", ""))))
        if form.is_valid():
            try:
                services.fake_report_submit(
                    acting_user=None,
                    district=district,
                    address=form.cleaned_data["address"],
                    problem=form.cleaned_data["problem"],
                    details=form.cleaned_data["details"],
                    reporter_contact=form.cleaned_data["reporter_contact"],
                )
            except ValidationError as error:
                add_refusal(form, error)
            else:
                return redirect("registry:public_report_thanks", slug=district.slug)
        status = 400
    else:
        form = PublicFakeReportForm(ticket=report_guard.issue())
    return render(request, "registry/public_report.html", {"district": district, "form": form}, status=status)


def public_report_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """The same words for every report: nothing of what the district knows or decided."""
    return render(request, "registry/public_report_thanks.html", {"district": _published(slug)})


@login_required
def fake_report_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff report a page from inside the product; only the director reads the reports."""
    district = request.user.district
    if district is None or not access.can_report(request.user):
        raise PermissionDenied
    form = FakeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.fake_report_submit(acting_user=request.user, district=district, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Thank you: the technology director will look at the page."))
            if access.can_follow_up_reports(request.user, district.pk):
                return redirect(report)
            return redirect("registry:fake_report_new")
    return render(request, "registry/fake_report_form.html", {"form": form, "district": district})


@login_required
def fake_report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(_follows_up_somewhere(request.user))
    reports = selectors.with_match(access.visible_fake_reports(request.user)).select_related("platform", "district")
    page = Paginator(reports.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/fake_report_list.html", {"page": page, "now": timezone.now()})


def _follows_up_somewhere(user: User) -> bool:
    district_id = user.district_id
    return user.is_superuser or (district_id is not None and access.can_follow_up_reports(user, district_id))


def _fake_report_page(
    request: AuthenticatedHttpRequest,
    report: FakeAccountReport,
    *,
    step_forms: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The report's page; `step_forms` are the forms of a step just refused, with their errors."""
    step_forms = {
        "verdict_form": FakeReportVerdictForm(initial={"verdict": report.verdict or None}),
        "platform_form": FakeReportPlatformForm(),
        "outcome_form": FakeReportOutcomeForm(initial={"outcome": report.outcome or None}),
        **(step_forms or {}),
    }
    return render(
        request,
        "registry/fake_report_detail.html",
        {
            "report": report,
            "match": selectors.official_match(report),
            **step_forms,
            "past_deadline": report.is_past_deadline(),
            "history": history.fake_report_history(report, number=page_number(request)),
        },
        status=status,
    )


@login_required
def fake_report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _fake_report_page(request, access.get_fake_report_for_user(request.user, pk))


# Each step of following a report up: its form (whose fields are the service's arguments), its service.
REPORT_STEPS: dict[str, tuple[type[forms.Form], Callable[..., FakeAccountReport], StrOrPromise]] = {
    "verdict": (FakeReportVerdictForm, services.fake_report_decide, gettext_lazy("Recorded.")),
    "platform": (
        FakeReportPlatformForm,
        services.fake_report_platform_reported,
        gettext_lazy("The report to the platform is recorded."),
    ),
    "outcome": (
        FakeReportOutcomeForm,
        services.fake_report_outcome,
        gettext_lazy("The platform's answer is recorded."),
    ),
}


@require_POST
@login_required
def fake_report_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """Record the director's verdict, the report to the platform, or what the platform did."""
    report = access.get_fake_report_for_user(request.user, pk)
    if step not in REPORT_STEPS:
        raise Http404
    require(access.can_follow_up_reports(request.user, report.district_id))
    form_class, action, success = REPORT_STEPS[step]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(acting_user=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, str(success))
            return redirect(report)
    return _fake_report_page(request, report, step_forms={f"{step}_form": form}, status=400)


@login_required
@require_safe
def pick_program(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Clubs, teams and programs of the schools the user sees, by name (the account form's picker)."""
    query = pickers.picker_query(request)
    programs = account_selectors.account_programs(
        Program.objects.filter(school__in=directory_access.visible_schools(request.user))
    )
    found = pickers.first_suggestions(
        programs, query, account_selectors.program_picker_search, pickers.program_suggestion
    )
    return pickers.picker_response(request, title=_("Find a club, team or program"), query=query, suggestions=found)
