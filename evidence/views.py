"""Evidence packs: the page to ask for one (and the district's earlier ones), a pack's page that follows
its progress, and its download. Thin: access, the form, one service."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from core.pagination import page_of
from core.refusals import add_refusal
from evidence import access, selectors, services
from evidence.forms import EvidencePackForm
from evidence.models import EvidencePack

PAGE_SIZE = 20


@login_required
def evidence_pack_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    district = access.get_evidence_district_for_user(request.user, slug)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    form = EvidencePackForm(request.POST or None, district=district, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.evidence_pack_request(
                acting_user=request.user, district=district, **form.request_arguments()
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            return redirect(pack)
    page = page_of(request, selectors.packs_of(district), PAGE_SIZE)
    status = 400 if request.method == "POST" else 200
    context = {"district": district, "form": form, "page": page, "keep_days": settings.EVIDENCE_PACK_KEEP_DAYS}
    return render(request, "evidence/pack_list.html", context, status=status)


@login_required
def evidence_pack_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    pack = access.get_pack_for_user(request.user, pk)
    context = {"pack": pack, "district": pack.district, "downloadable": pack.is_downloadable()}
    if request.htmx and not pack.is_finished:
        return render(request, "evidence/_pack_progress.html", context)
    if request.htmx:
        # Finished while the page was polling: reload the whole page to show the download.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "evidence/pack_detail.html", context)


@login_required
@require_safe
def evidence_pack_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    pack = access.get_pack_for_user(request.user, pk)
    try:
        path = services.evidence_pack_open(acting_user=request.user, pack=pack)
    except EvidencePack.DoesNotExist:
        raise Http404 from None
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=pack.file_name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
