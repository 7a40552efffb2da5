"""History rows for records written by set-based SQL (the roster import), which django-simple-history
never sees: once the writes are done, one INSERT … SELECT per table adds a history row, with the
person who ran the import and its name as the reason, for every record the import wrote.

Which records were written comes from the import's own list of them (the temporary table
stg_written, filled by each statement's RETURNING), so this costs in proportion to the rows that
changed: an unchanged million rows cost nothing here. (Comparing every row with its latest history
row instead read the whole district and its history, and on fresh statistics-less tables the
planner made that a nested loop of hours.)"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

from core.history import history_manager


class BulkHistory:
    """Writes the history rows of the records one import wrote, in the same transaction."""

    def __init__(self, cursor: Any, *, acting_user_id: int | None, reason: str) -> None:
        self.cursor = cursor
        self.acting_user_id = acting_user_id
        self.reason = reason[:100]  # the history's reason column
        self.when: datetime.datetime = timezone.now()

    def after(self, model: type[models.Model], entity: str) -> int:
        """History rows for the rows of `model` noted as `entity` in stg_written; returns how many."""
        history: type[models.Model] = history_manager(model).model
        columns = [
            f.column
            for f in history._meta.concrete_fields
            if f.column is not None and not f.name.startswith("history_")
        ]
        table, history_table = model._meta.db_table, history._meta.db_table
        self.cursor.execute(
            f"""INSERT INTO {history_table}
                    ({", ".join(columns)}, history_date, history_change_reason, history_type, history_user_id)
                SELECT {", ".join(f"t.{c}" for c in columns)}, %s, %s,
                       CASE WHEN w.added = 1 THEN '+' ELSE '~' END, %s
                FROM (SELECT id, MAX(CASE WHEN action = 'added' THEN 1 ELSE 0 END) AS added
                      FROM stg_written WHERE entity = %s GROUP BY id) w
                JOIN {table} t ON t.id = w.id""",
            [connection.ops.adapt_datetimefield_value(self.when), self.reason, self.acting_user_id, entity],
        )
        return int(self.cursor.rowcount)
