"""What the load, check and apply phases of one import share: the district, the report, the
cursor and staging tables, what the manifest and orgs.csv said, and a few SQL helpers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from accounts.models import District, User
from accounts.roster.report import RosterReport
from accounts.roster.staging import Staging

ProgressCallback = Callable[[float, str], None]


class Phase:
    """The state of one import (set by RosterImporter) and the helpers every phase uses."""

    district: District
    acting_user: User | None
    change_reason: str
    confirm_departures: bool
    today: datetime.date
    progress: ProgressCallback
    report: RosterReport
    postgres: bool
    cursor: Any
    staging: Staging
    modes: dict[str, str]  # how each file is sent (bulk, delta, absent), from the manifest
    org_types: dict[str, str]  # every org's type by its sourcedId, from orgs.csv and earlier imports
    analyzed: list[str]  # the real tables this import analyzed (statistics refreshed mid-import)

    def _differs(self, pairs: list[tuple[str, str]]) -> str:
        op = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        return "(" + " OR ".join(f"{a} {op} {b}" for a, b in pairs) + ")"

    def _scalar(self, sql: str, params: list[Any]) -> int:
        self.cursor.execute(sql, params)
        return int(self.cursor.fetchone()[0] or 0)

    def _bulk(self, name: str) -> bool:
        return self.modes.get(name, "bulk") == "bulk"

    def _leavers(self, kind: str, table: str, active_column: str) -> str:
        """WHERE clause (one parameter: the district) for the active roster people of one kind the
        file deactivates: marked tobedeleted, or (in a bulk file) no longer listed as active."""
        listed = (
            f"SELECT 1 FROM stg_user s WHERE s.sourced_id = {table}.roster_sourced_id "
            f"AND s.kind = '{kind}' AND s.status = 'active'"
        )
        retired = (
            f"SELECT 1 FROM stg_user s WHERE s.sourced_id = {table}.roster_sourced_id AND s.status = 'tobedeleted'"
        )
        condition = f"NOT EXISTS ({listed})" if self.modes.get("users.csv", "bulk") == "bulk" else f"EXISTS ({retired})"
        return f"district_id = %s AND roster_sourced_id IS NOT NULL AND {active_column} AND {condition}"
