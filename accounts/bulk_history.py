"""History rows for records written by set-based SQL (the roster import), which django-simple-history
never sees: after the writes, one INSERT … SELECT per table adds a history row, with the person who
ran the import and its name as the reason, for every record that differs from its latest history
row. A million unchanged rows cost one scan and write nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

from core.history import history_manager


class BulkHistory:
    """Note each table's newest id before the writes (rows above it were created by them), then
    write the history rows once the writes are done, in the same transaction."""

    def __init__(self, cursor: Any, *, acting_user_id: int | None, reason: str) -> None:
        self.cursor = cursor
        self.acting_user_id = acting_user_id
        self.reason = reason[:100]  # the history's reason column
        self.when: datetime.datetime = timezone.now()
        self._last_ids: dict[type[models.Model], int] = {}

    def before(self, model: type[models.Model]) -> None:
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        self._last_ids[model] = int(self.cursor.fetchone()[0])

    def after(self, model: type[models.Model], where: str, params: list[Any]) -> int:
        """History rows for the rows of `model` matching `where` (on alias t) that changed; returns how many."""
        history: type[models.Model] = history_manager(model).model
        columns = [
            f.column
            for f in history._meta.concrete_fields
            if f.column is not None and not f.name.startswith("history_")
        ]
        compared = [column for column in columns if column != "id"]
        differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        same = " AND ".join(f"NOT (t.{c} {differs} h.{c})" for c in compared)
        table, history_table = model._meta.db_table, history._meta.db_table
        self.cursor.execute(
            f"""INSERT INTO {history_table}
                    ({", ".join(columns)}, history_date, history_change_reason, history_type, history_user_id)
                SELECT {", ".join(f"t.{c}" for c in columns)}, %s, %s,
                       CASE WHEN t.id > %s THEN '+' ELSE '~' END, %s
                FROM {table} t
                WHERE ({where})
                  AND NOT EXISTS (
                      SELECT 1 FROM {history_table} h
                      WHERE h.history_id = (SELECT MAX(l.history_id) FROM {history_table} l WHERE l.id = t.id)
                        AND h.history_type <> '-' AND {same})""",
            [
                connection.ops.adapt_datetimefield_value(self.when),
                self.reason,
                self._last_ids[model],
                self.acting_user_id,
                *params,
            ],
        )
        inserted: int = self.cursor.rowcount
        return inserted
