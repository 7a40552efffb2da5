"""The consent scopes' history source. Families' answers need none: each answer is its own
record, kept with who recorded it and when (see consent.models.ConsentRecord)."""

from __future__ import annotations

from django.db.models import Q

from consent.models import ConsentScope
from core.history import QUIET_BY_DEFAULT, HistoryPage, Source, history_page


def scope_source(rows: Q) -> Source:
    return Source(
        model=ConsentScope,
        rows=rows,
        kind="Consent scope",
        quiet=QUIET_BY_DEFAULT | {"position"},
    )


def scope_history(scope: ConsentScope, *, number: int = 1) -> HistoryPage:
    return history_page([scope_source(Q(id=scope.pk))], number=number)
