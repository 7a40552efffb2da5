"""The consent scopes' history source. Families' answers need none: each answer is its own
record, kept with who recorded it and when (see consent.models.ConsentRecord)."""

from __future__ import annotations

from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat

from accounts.history import QUIET_BY_DEFAULT, HistoryPage, Source, history_page, related
from consent.models import ConsentScope
from registry.models import InstructionalUse


def scope_source(rows: Q) -> Source:
    return Source(
        model=ConsentScope,
        rows=rows,
        kind="Consent scope",
        quiet=QUIET_BY_DEFAULT | {"position"},
        fk_labels={
            "instructional_use": related(
                InstructionalUse,
                "instructional_use_id",
                Concat(F("tool__name"), Value(" with "), F("program__name"), output_field=CharField()),
            )
        },
    )


def scope_history(scope: ConsentScope, *, number: int = 1) -> HistoryPage:
    return history_page([scope_source(Q(id=scope.pk))], number=number)
