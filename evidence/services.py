"""Evidence packs: asking for one, building it in the background, downloading it, and deleting it once
its keeping time is over. Every generation and every download is written to the privacy log."""

from __future__ import annotations

import datetime
import logging
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import District, User
from accounts.models import school_year_for as year_of
from audit.selectors import MAX_PERIOD_DAYS, Period
from consent import services as consent_services
from consent.models import ListKind
from core.csv_response import csv_rows
from evidence import access, sections
from evidence.models import EvidencePack, PackStatus
from evidence.pdf import render_pdf

logger = logging.getLogger(__name__)


def _pack_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _subject(pack: EvidencePack) -> str:
    return f"evidence pack {pack.pk}, {pack.first_day:%Y-%m-%d} to {pack.last_day:%Y-%m-%d}"


def evidence_pack_request(
    *,
    acting_user: User,
    district: District,
    school_year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> EvidencePack:
    """Queue the pack of a school year (named by the year it starts in) or of the days from `start`
    to `end` (both included), and log that it was asked for."""
    from core.tasks import enqueue
    from evidence.tasks import build_evidence_pack

    if not access.can_use_evidence_packs(acting_user, district):
        raise PermissionDenied
    label = ""
    if school_year is not None:
        year = year_of(
            datetime.date(school_year, district.school_year_start_month, 1), district.school_year_start_month
        )
        start, end, label = year.starts_on, year.ends_on, year.label
    if start is None or end is None:
        raise ValidationError(_("Choose a school year, or the first and last day of the period."))
    if end < start:
        raise ValidationError(_("The end date is before the start date: choose an end on or after the start."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError(
            _("Choose at most %(days)s days: one school year at a time."), params={"days": MAX_PERIOD_DAYS}
        )
    if start > timezone.localdate():
        raise ValidationError(_("The period has not started yet: choose one that has."))
    with transaction.atomic():
        pack = EvidencePack.objects.create(
            district=district, requested_by=acting_user, first_day=start, last_day=end, school_year_label=label
        )
        consent_services.list_view_record(
            user=acting_user, district=district, kind=ListKind.EVIDENCE_PACK, subject=_subject(pack)
        )
        transaction.on_commit(lambda: enqueue(build_evidence_pack, pack.pk))
    return pack


def _claim(pack_id: int) -> EvidencePack | None:
    """The pack, now marked as being built; None if another worker holds it or it is done."""
    with transaction.atomic():
        pack = (
            EvidencePack.objects.select_for_update(of=("self",))
            .select_related("district", "requested_by")
            .filter(pk=pack_id)
            .first()
        )
        if pack is None or pack.status != PackStatus.QUEUED:
            return None
        pack.status, pack.started_at, pack.progress = PackStatus.BUILDING, timezone.now(), 0
        pack.save(update_fields=["status", "started_at", "progress"])
    return pack


def _report(pack: EvidencePack, progress: int, section: str) -> None:
    """Progress the page reads while the pack is built (each update commits on its own)."""
    EvidencePack.objects.filter(pk=pack.pk).update(progress=progress, section=section[:200])


def evidence_pack_build(pack_id: int) -> EvidencePack | None:
    """Build the pack: each section's CSVs into the ZIP, then the PDF that summarises them."""
    pack = _claim(pack_id)
    if pack is None:
        return None
    period = Period(pack.first_day, pack.last_day)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    scope = sections.scope_of(pack.district, period, today)
    stored = _pack_dir() / f"{uuid.uuid4().hex}.zip"
    partial = stored.with_suffix(".part")
    steps = len(sections.SECTIONS) + 1
    try:
        built: list[sections.Section] = []
        with partial.open("wb") as part, zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for done, (_key, make) in enumerate(sections.SECTIONS):
                section = make(scope)
                _report(pack, 100 * done // steps, str(section.title))
                for table in section.tables:
                    with bundle.open(table.file, "w") as out:
                        for chunk in csv_rows(table.header, table.written()):
                            out.write(chunk.encode("utf-8"))
                if section.after is not None:
                    section.after(section)
                built.append(section)
            _report(pack, 100 * (steps - 1) // steps, _("The PDF summary"))
            context = {
                "pack": pack,
                "district": pack.district,
                "scope": scope,
                "sections": built,
                "generated_at": timezone.now(),
                "time_zone": settings.TIME_ZONE,
            }
            bundle.writestr("summary.pdf", render_pdf(context))
        partial.replace(stored)
    except Exception as error:
        logger.exception("Evidence pack %s failed", pack.pk)
        partial.unlink(missing_ok=True)
        stored.unlink(missing_ok=True)
        EvidencePack.objects.filter(pk=pack.pk).update(
            status=PackStatus.FAILED, finished_at=timezone.now(), error=str(error)[:500]
        )
        return None
    now = timezone.now()
    pack.status, pack.progress, pack.section = PackStatus.READY, 100, ""
    pack.stored_path, pack.size_bytes = str(stored), stored.stat().st_size
    pack.finished_at, pack.expires_at = now, now + datetime.timedelta(days=settings.EVIDENCE_PACK_KEEP_DAYS)
    pack.save(update_fields=["status", "progress", "section", "stored_path", "size_bytes", "finished_at", "expires_at"])
    return pack


def evidence_pack_open(*, acting_user: User, pack: EvidencePack) -> Path:
    """The pack's file, for a download; the download is logged. Refused (404 for the view) once the
    pack has expired or was never built."""
    if not access.can_use_evidence_packs(acting_user, pack.district):
        raise PermissionDenied
    path = Path(pack.stored_path)
    if not pack.is_downloadable() or not path.is_file():
        raise EvidencePack.DoesNotExist
    consent_services.list_view_record(
        user=acting_user, district=pack.district, kind=ListKind.EVIDENCE_DOWNLOAD, subject=_subject(pack)
    )
    return path


def evidence_packs_delete_expired(now: datetime.datetime | None = None) -> int:
    """Delete the files of the packs whose keeping time is over; the rows stay, marked expired, so the
    list still shows who asked for what."""
    now = now or timezone.now()
    expired = list(
        EvidencePack.objects.filter(status=PackStatus.READY, expires_at__lte=now).values_list("pk", "stored_path")
    )
    for pk, stored_path in expired:
        if stored_path:
            Path(stored_path).unlink(missing_ok=True)
        EvidencePack.objects.filter(pk=pk).update(status=PackStatus.EXPIRED, stored_path="")
    return len(expired)


def evidence_packs_stalled(
    queued_for: datetime.timedelta = datetime.timedelta(minutes=10),
    building_for: datetime.timedelta = datetime.timedelta(hours=1),
) -> list[int]:
    """Packs to queue again: still queued a while after they were asked for (the broker was down), or
    building for so long that their worker must have died (they start over: nothing was kept)."""
    now = timezone.now()
    EvidencePack.objects.filter(status=PackStatus.BUILDING, started_at__lt=now - building_for).update(
        status=PackStatus.QUEUED, progress=0, section=""
    )
    return list(
        EvidencePack.objects.filter(status=PackStatus.QUEUED, created_at__lt=now - queued_for).values_list(
            "pk", flat=True
        )
    )
