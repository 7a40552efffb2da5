"""The installation's operators create districts and watch their setup; a district's director works
through their own checklist (also on their home page until it is done)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.models import District
from compliance import setup
from core.refusals import add_refusal
from onboarding import access
from onboarding.forms import DistrictCreateForm
from onboarding.services import NewDistrict, district_create

DISTRICTS_PER_PAGE = 25


@login_required
def district_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.is_operator(request.user):
        raise PermissionDenied
    page = Paginator(District.objects.order_by("name", "pk"), DISTRICTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for district in page:
        steps = setup.setup_steps(district)
        rows.append((district, setup.progress(steps), [step for step in steps if not step.done][:1]))
    return render(request, "onboarding/district_list.html", {"page": page, "rows": rows})


@login_required
def district_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.is_operator(request.user):
        raise PermissionDenied
    form = DistrictCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            district = district_create(acting_user=request.user, new=NewDistrict(**form.cleaned_data))
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(district)s was created; %(email)s is invited to sign in and set it up.")
                % {"district": district.name, "email": form.cleaned_data["director_email"].strip().lower()},
            )
            return redirect("onboarding:district_checklist", slug=district.slug)
    status = 400 if form.errors else 200
    return render(request, "onboarding/district_new.html", {"form": form}, status=status)


@login_required
def district_checklist(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A district's setup: its own directors, and the installation's operators."""
    district = get_or_404(access.checklist_districts(request.user), slug=slug)
    steps = setup.setup_steps(district)
    return render(
        request,
        "onboarding/checklist.html",
        {"district": district, "steps": steps, "progress": setup.progress(steps)},
    )
