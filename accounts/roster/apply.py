"""Applying: set-based upserts from the staging tables into the real ones, and the deactivation
of those the roster no longer lists. Every count in the report comes from these statements.

Each statement writes only the rows that differ (an anti-join against the real table first, so an
unchanged million rows are read once and written never) and records what it wrote in stg_written:
the history rows (accounts.bulk_history) and a preview's names are made from that table, so they
cost in proportion to what changed. Tables that took many rows are analyzed at once, inside the
import, so the next statements (and the next import) are planned on true sizes."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import District
from accounts.roster.phase import Phase
from core.history import attribute

# A table is analyzed again once this many rows, and this share of it, changed since its statistics.
ANALYZE_MIN_ROWS = 1_000
ANALYZE_SHARE = 0.1


class Applying(Phase):
    # --- Writing, and recording what was written --------------------------------------------

    def _upsert(
        self,
        *,
        entity: str,
        table: str,
        source: str,
        key: list[tuple[str, str]],
        fields: list[tuple[str, str]],
        extra_insert: list[tuple[str, str]] | None = None,
        conflict: str,
    ) -> tuple[int, int]:
        """Insert the rows of `source` (FROM … WHERE …, alias s) missing from `table`, update those that
        differ in `fields`, leave the rest alone; returns (created, changed)."""
        extra_insert = extra_insert or []
        match = " AND ".join(f"t.{c} = {e}" for c, e in key)
        op = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        same = " AND ".join(f"NOT (t.{c} {op} {e})" for c, e in fields)
        columns = [c for c, _ in (*key, *fields, *extra_insert)]
        values = [e for _, e in (*key, *fields, *extra_insert)]
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} {source} "
            f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match} AND {same}) "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c, _ in fields)} "
            f"WHERE {self._differs([(f'{table}.{c}', f'excluded.{c}') for c, _ in fields])}"
        )
        if self.postgres:
            # A new row has xmax = 0: both counts come from the statement itself.
            self.cursor.execute(
                f"""WITH written AS ({statement} RETURNING id, (xmax = 0) AS created),
                         recorded AS (INSERT INTO stg_written
                                      SELECT '{entity}', id, CASE WHEN created THEN 'added' ELSE 'changed' END
                                      FROM written RETURNING action)
                    SELECT COUNT(*) FILTER (WHERE action = 'added'), COUNT(*) FILTER (WHERE action = 'changed')
                    FROM recorded"""
            )
            created, changed = self.cursor.fetchone()
            return int(created), int(changed)
        changed = self._record(
            f"INSERT INTO stg_written SELECT '{entity}', (SELECT t.id FROM {table} t WHERE {match}), 'changed' "
            f"{source} AND EXISTS (SELECT 1 FROM {table} t WHERE {match} AND NOT ({same}))",
            [],
        )
        created = self._insert_recorded(entity, table, statement, [])
        return created, changed

    def _record(self, sql: str, params: list[Any]) -> int:
        self.cursor.execute(sql, params)
        return int(self.cursor.rowcount)

    def _update_recorded(
        self,
        entity: str,
        action: str,
        table: str,
        assignments: str,
        where: str,
        set_params: list[Any],
        where_params: list[Any],
    ) -> int:
        """UPDATE … SET `assignments` WHERE `where`, noting each row in stg_written; returns how many."""
        if self.postgres:
            return self._record(
                f"""WITH w AS (UPDATE {table} SET {assignments} WHERE {where} RETURNING id)
                    INSERT INTO stg_written SELECT '{entity}', id, '{action}' FROM w""",
                [*set_params, *where_params],
            )
        self._record(
            f"INSERT INTO stg_written SELECT '{entity}', id, '{action}' FROM {table} WHERE {where}", where_params
        )
        return self._record(f"UPDATE {table} SET {assignments} WHERE {where}", [*set_params, *where_params])

    def _insert_recorded(self, entity: str, table: str, statement: str, params: list[Any]) -> int:
        """An INSERT … SELECT whose new rows are noted in stg_written; returns how many."""
        if self.postgres:
            return self._record(
                f"WITH w AS ({statement} RETURNING id) INSERT INTO stg_written SELECT '{entity}', id, 'added' FROM w",
                params,
            )
        last = self._scalar(f"SELECT COALESCE(MAX(id), 0) FROM {table}", [])
        self.cursor.execute(statement, params)
        return self._record(
            f"INSERT INTO stg_written SELECT '{entity}', id, 'added' FROM {table} WHERE id > %s", [last]
        )

    def _refresh_statistics(self, table: str, written: int = 0) -> None:
        """ANALYZE `table` when it changed a lot since its statistics: rows committed by earlier imports
        (pg_stat_user_tables, even with autovacuum off) plus `written` by this one, uncommitted and so
        invisible there. A fresh million rows planned as an empty table is what made imports stall."""
        if not self.postgres:
            return
        self.cursor.execute(
            """SELECT c.reltuples, COALESCE(s.n_mod_since_analyze, 0) FROM pg_class c
               LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass""",
            [table],
        )
        reltuples, modified = self.cursor.fetchone()
        changed = int(modified) + written
        if changed >= ANALYZE_MIN_ROWS and changed > ANALYZE_SHARE * max(float(reltuples), 0.0):
            self.cursor.execute(f"ANALYZE {table}")
            self.analyzed.append(table)

    def _examples(self, entity: str, table: str, label: str) -> None:
        """A few names of those deactivated, so a director can tell a real leaver list from a wrong file."""
        self.cursor.execute(
            f"""SELECT t.first_name || ' ' || t.last_name FROM {table} t JOIN stg_written w
                ON w.id = t.id AND w.entity = '{entity}' AND w.action = 'deactivated'
                ORDER BY t.last_name LIMIT 5"""
        )
        self.report.deactivated_examples += [f"{row[0]} ({label})" for row in self.cursor.fetchall()]

    # --- Schools -------------------------------------------------------------------------------

    def _apply_schools(self) -> None:
        d = int(self.district.pk)
        if not self.district.roster_sourced_id:
            district_orgs = [sid for sid, kind in self.org_types.items() if kind == "district"]
            if len(district_orgs) == 1:
                district = District.objects.get(pk=d)  # a fresh copy: a dry run must leave the caller's unchanged
                district.roster_sourced_id = district_orgs[0]
                attribute(district, self.acting_user, self.change_reason)
                district.save(update_fields=["roster_sourced_id"])
        self._match_schools_by_code()
        created, changed = self._upsert(
            entity="school",
            table="accounts_school",
            source="FROM stg_org s WHERE s.type = 'school' AND s.status = 'active'",
            key=[("district_id", str(d)), ("roster_sourced_id", "s.sourced_id")],
            fields=[("name", "s.name"), ("code", "s.identifier"), ("active", "TRUE")],
            conflict="district_id, roster_sourced_id",
        )
        gone = "s.sourced_id = accounts_school.roster_sourced_id"
        keep = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'active')"
        retired = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'tobedeleted')"
        condition = f"NOT {keep}" if self._bulk("orgs.csv") else retired
        deactivated = self._update_recorded(
            "school",
            "deactivated",
            "accounts_school",
            "active = FALSE",
            f"district_id = {d} AND roster_sourced_id IS NOT NULL AND active AND {condition}",
            [],
            [],
        )
        self.report.count("schools", "created", created)
        self.report.count("schools", "changed", changed)
        self.report.count("schools", "deactivated", deactivated)

    def _match_schools_by_code(self) -> None:
        """Schools made in the app before the first import (a demo, or by hand) are the roster's schools
        when their code is the org's identifier: linked, not made twice. Only an unambiguous match (one
        school of the district without a roster id has the code, one school org has it, and no school
        holds the org's id yet) links; anything else is created as before. A school a director entered
        by hand between imports is then matched by its exact name, on the same terms, and the report
        counts those (`_count_matched_by_hand`)."""
        d = int(self.district.pk)
        org = (
            "SELECT {} FROM stg_org s WHERE s.type = 'school' AND s.status = 'active' "
            "AND s.identifier <> '' AND s.identifier = accounts_school.code"
        )
        matched = self._update_recorded(
            "school",
            "matched",
            "accounts_school",
            f"roster_sourced_id = ({org.format('s.sourced_id')}), {self._matched_by_hand_at}",
            f"""district_id = {d} AND roster_sourced_id IS NULL AND code <> ''
                AND ({org.format("COUNT(*)")}) = 1
                AND NOT EXISTS (SELECT 1 FROM accounts_school o WHERE o.district_id = {d}
                                AND o.id <> accounts_school.id AND o.code = accounts_school.code
                                AND o.roster_sourced_id IS NULL)
                AND NOT EXISTS (SELECT 1 FROM accounts_school o WHERE o.district_id = {d}
                                AND o.roster_sourced_id = ({org.format("s.sourced_id")}))""",
            [self._now()],
            [],
        )
        named = (
            "SELECT {} FROM stg_org s WHERE s.type = 'school' AND s.status = 'active' AND s.name = accounts_school.name"
        )
        matched += self._update_recorded(
            "school",
            "matched",
            "accounts_school",
            f"roster_sourced_id = ({named.format('s.sourced_id')}), {self._matched_by_hand_at}",
            f"""district_id = {d} AND roster_sourced_id IS NULL AND entered_by_hand_at IS NOT NULL
                AND ({named.format("COUNT(*)")}) = 1
                AND NOT EXISTS (SELECT 1 FROM accounts_school o WHERE o.district_id = {d}
                                AND o.id <> accounts_school.id AND o.name = accounts_school.name
                                AND o.roster_sourced_id IS NULL)
                AND NOT EXISTS (SELECT 1 FROM accounts_school o WHERE o.district_id = {d}
                                AND o.roster_sourced_id = ({named.format("s.sourced_id")}))""",
            [self._now()],
            [],
        )
        if matched:  # counted only when it happens: after the first import it never does
            self.report.count("schools", "matched", matched)
            self._count_matched_by_hand("school", "accounts_school")

    # A record a director entered by hand notes when the roster matched it; others are left as they are.
    _matched_by_hand_at = "roster_matched_at = CASE WHEN entered_by_hand_at IS NOT NULL THEN %s END"

    def _now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(timezone.now())

    def _count_matched_by_hand(self, entity: str, table: str) -> None:
        """The report's count of records entered by hand that this import matched (schools and staff)."""
        n = self._scalar(
            f"""SELECT COUNT(*) FROM stg_written w JOIN {table} t ON t.id = w.id
                WHERE w.entity = '{entity}' AND w.action = 'matched' AND t.entered_by_hand_at IS NOT NULL""",
            [],
        )
        if n:
            bucket = self.report.counts.setdefault("records entered by hand", {"matched": 0})
            bucket["matched"] += n

    # --- People ----------------------------------------------------------------------------------

    def _people(
        self,
        *,
        kind: str,
        entity: str,
        label: str,
        table: str,
        fields: list[tuple[str, str]],
        active_column: str,
        extra_insert: list[tuple[str, str]],
        joins: str = "",
    ) -> int:
        """Create or update one kind of person, then deactivate those who left; returns rows written."""
        d = int(self.district.pk)
        created, changed = self._upsert(
            entity=entity,
            table=table,
            source=f"FROM stg_user s {joins} WHERE s.kind = '{kind}' AND s.status = 'active'",
            key=[("district_id", str(d)), ("roster_sourced_id", "s.sourced_id")],
            fields=[*fields, (active_column, "TRUE"), ("left_on", "NULL")],
            extra_insert=extra_insert,
            conflict="district_id, roster_sourced_id",
        )
        self.report.count(label, "created", created)
        self.report.count(label, "changed", changed)
        deactivated = self._update_recorded(
            entity,
            "deactivated",
            table,
            f"{active_column} = FALSE, left_on = %s",
            self._leavers(kind, table, active_column),
            [self.today],
            [d],
        )
        self.report.count(label, "deactivated", deactivated)
        if deactivated:
            self._examples(entity, table, label)
        return created + changed + deactivated

    def _adopt_staff_made_by_hand(self) -> None:
        """Staff created in the app before the district's first import are the roster's people
        too: linked to their row by e-mail (without case), the upsert then keeps them up to date
        instead of failing on their e-mail. _check_across_rows refused every ambiguous match."""
        row = (
            "SELECT {} FROM stg_user s "
            "WHERE s.kind = 'staff' AND s.status = 'active' AND s.email = LOWER(accounts_user.email)"
        )
        matched = self._update_recorded(
            "staff",
            "matched",
            "accounts_user",
            f"roster_sourced_id = ({row.format('s.sourced_id')}), {self._matched_by_hand_at}",
            f"district_id = %s AND roster_sourced_id IS NULL AND EXISTS ({row.format('1')})",
            [self._now()],
            [self.district.pk],
        )
        if matched:  # counted only when it happens: after the first import it never does
            self.report.count("staff", "matched", matched)
            self._count_matched_by_hand("staff", "accounts_user")

    def _apply_staff(self) -> None:
        password = "'!' || md5(random()::text)" if self.postgres else "'!' || hex(randomblob(20))"
        written = self._people(
            kind="staff",
            entity="staff",
            label="staff",
            table="accounts_user",
            fields=[
                ("email", "s.email"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("employee_id", "s.identifier"),
            ],
            active_column="is_active",
            extra_insert=[
                ("password", password),
                ("is_staff", "FALSE"),
                ("is_superuser", "FALSE"),
                ("job_title", "''"),
                ("date_joined", "CURRENT_TIMESTAMP"),
            ],
        )
        self._refresh_statistics("accounts_user", written)

    def _apply_supervisors(self) -> None:
        """Supervisors the roster names (where it names one) are set; anyone whose supervisor has left
        the district, by this import or by hand, is left without one rather than reporting to a
        departed person, and so appears on the director's list of staff without a supervisor."""
        d = int(self.district.pk)
        supervisor = (
            "SELECT sup.id FROM stg_user s JOIN stg_user ss ON ss.sourced_id = s.supervisor_sourced_id "
            "AND ss.kind = 'staff' AND ss.status = 'active' AND ss.sourced_id <> s.sourced_id "
            f"JOIN accounts_user sup ON sup.district_id = {d} AND sup.roster_sourced_id = ss.sourced_id "
            "WHERE s.kind = 'staff' AND s.status = 'active' AND s.sourced_id = accounts_user.roster_sourced_id"
        )
        named = self._scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM stg_user WHERE supervisor_sourced_id <> '' LIMIT 1) x", []
        )
        assigned = named and self._update_recorded(
            "staff",
            "changed",
            "accounts_user",
            f"supervisor_id = ({supervisor})",
            f"""district_id = {d} AND roster_sourced_id IS NOT NULL AND is_active
                AND EXISTS ({supervisor}) AND {self._differs([("supervisor_id", f"({supervisor})")])}""",
            [],
            [],
        )
        released = self._update_recorded(
            "staff",
            "changed",
            "accounts_user",
            "supervisor_id = NULL",
            f"""district_id = {d} AND supervisor_id IN
                (SELECT id FROM accounts_user WHERE district_id = {d} AND NOT is_active)""",
            [],
            [],
        )
        if assigned or released:
            # "changed": supervisors the roster named; "ended": supervisors who left, so nobody reports to them.
            self.report.counts["supervisors"] = {"changed": assigned, "ended": released}

    def _apply_students(self) -> None:
        d = int(self.district.pk)
        written = self._people(
            kind="student",
            entity="student",
            label="students",
            table="accounts_student",
            fields=[
                ("sis_id", "CASE WHEN s.identifier <> '' THEN s.identifier ELSE s.sourced_id END"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("grade", "s.grade"),
                ("school_id", "k.id"),
            ],
            active_column="active",
            extra_insert=[],
            joins=f"JOIN accounts_school k ON k.district_id = {d} AND k.roster_sourced_id = s.school_sourced_id",
        )
        self._refresh_statistics("accounts_student", written)

    def _apply_birth_dates(self) -> None:
        """Students' birth dates from demographics.csv. A student the file leaves out, or gives no date,
        keeps the one already known (entered by hand, or from an earlier file); staff rows are ignored."""
        d = int(self.district.pk)
        born = "CAST(b.birth_date AS date)" if self.postgres else "b.birth_date"
        given = (
            f"SELECT {born} FROM stg_demographic b WHERE b.sourced_id = accounts_student.roster_sourced_id "
            "AND b.status = 'active' AND b.birth_date <> ''"
        )
        changed = self._update_recorded(
            "student",
            "changed",
            "accounts_student",
            f"birth_date = ({given})",
            f"district_id = {d} AND roster_sourced_id IS NOT NULL AND EXISTS ({given}) "
            f"AND {self._differs([('birth_date', f'({given})')])}",
            [],
            [],
        )
        if changed:
            self.report.counts["birth dates"] = {"changed": changed}

    def _apply_guardians(self) -> None:
        """Parents and guardians of the district's current students, linked as agentSourcedIds says
        (on the student's row or on the guardian's). A guardian left with no current student is
        deactivated with them; one the bundle links to nobody is not stored (a warning says so)."""
        d = int(self.district.pk)
        delta = not self._bulk("users.csv")
        active_guardian = "g.kind = 'guardian' AND g.status = 'active'"
        student = f"accounts_student st ON st.district_id = {d} AND st.active AND st.roster_sourced_id"
        self.cursor.execute(
            f"""INSERT INTO stg_guardian_link (student_id, guardian_sid, relationship)
                SELECT DISTINCT st.id, g.sourced_id, g.relationship FROM stg_agent a
                  JOIN stg_user g ON g.sourced_id = a.user_sourced_id AND {active_guardian}
                  JOIN {student} = a.agent_sourced_id
                UNION
                SELECT DISTINCT st.id, g.sourced_id, g.relationship FROM stg_agent a
                  JOIN stg_user g ON g.sourced_id = a.agent_sourced_id AND {active_guardian}
                  JOIN {student} = a.user_sourced_id"""
        )
        if delta:
            # A file of changes keeps the current links of everyone it does not retire.
            self.cursor.execute(
                f"""INSERT INTO stg_guardian_link (student_id, guardian_sid, relationship)
                    SELECT l.student_id, g.roster_sourced_id, l.relationship FROM accounts_studentguardian l
                      JOIN accounts_guardian g ON g.id = l.guardian_id AND g.district_id = {d}
                      JOIN accounts_student st ON st.id = l.student_id AND st.active
                     WHERE l.ended_on IS NULL AND NOT EXISTS (
                           SELECT 1 FROM stg_user u WHERE u.sourced_id = g.roster_sourced_id
                           AND u.status = 'tobedeleted')"""
            )
        self.cursor.execute("CREATE INDEX stg_guardian_link_sid ON stg_guardian_link (guardian_sid)")
        self.staging.analyze("stg_guardian_link")
        linked = "EXISTS (SELECT 1 FROM stg_guardian_link l WHERE l.guardian_sid = s.sourced_id)"
        created, changed = self._upsert(
            entity="guardian",
            table="accounts_guardian",
            source=f"FROM stg_user s WHERE s.kind = 'guardian' AND s.status = 'active' AND {linked}",
            key=[("district_id", str(d)), ("roster_sourced_id", "s.sourced_id")],
            fields=[
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("email", "s.email"),
                ("phone", "s.phone"),
                ("preferred_language", "s.language"),
                ("active", "TRUE"),
                ("left_on", "NULL"),
            ],
            conflict="district_id, roster_sourced_id",
        )
        self.report.count("guardians", "created", created)
        self.report.count("guardians", "changed", changed)
        written = created + changed
        self._refresh_statistics("accounts_guardian", written)
        # Links: one per student and guardian, its relationship kept up to date.
        links_created, links_changed = self._upsert(
            entity="guardian link",
            table="accounts_studentguardian",
            source=(
                "FROM (SELECT l.student_id, g.id AS guardian_id, MIN(COALESCE(NULLIF(l.relationship, ''), "
                "'guardian')) AS relationship FROM stg_guardian_link l JOIN accounts_guardian g "
                f"ON g.district_id = {d} AND g.roster_sourced_id = l.guardian_sid "
                "GROUP BY l.student_id, g.id) s WHERE 1 = 1"
            ),
            key=[("student_id", "s.student_id"), ("guardian_id", "s.guardian_id")],
            fields=[("relationship", "s.relationship"), ("ended_on", "NULL")],
            conflict="student_id, guardian_id",
        )
        ended = self._update_recorded(
            "guardian link",
            "deactivated",
            "accounts_studentguardian",
            "ended_on = %s",
            f"""ended_on IS NULL AND guardian_id IN (SELECT id FROM accounts_guardian WHERE district_id = {d})
                AND NOT EXISTS (SELECT 1 FROM stg_guardian_link l JOIN accounts_guardian g
                                ON g.district_id = {d} AND g.roster_sourced_id = l.guardian_sid
                                WHERE l.student_id = accounts_studentguardian.student_id
                                  AND g.id = accounts_studentguardian.guardian_id)""",
            [self.today],
            [],
        )
        self.report.counts["guardian links"] = {"created": links_created, "changed": links_changed, "ended": ended}
        self._refresh_statistics("accounts_studentguardian", links_created + links_changed + ended)
        deactivated = self._update_recorded(
            "guardian",
            "deactivated",
            "accounts_guardian",
            "active = FALSE, left_on = %s",
            f"""district_id = {d} AND active
                AND NOT EXISTS (SELECT 1 FROM stg_guardian_link l
                                WHERE l.guardian_sid = accounts_guardian.roster_sourced_id)""",
            [self.today],
            [],
        )
        self.report.count("guardians", "deactivated", deactivated)
        if deactivated:
            self._examples("guardian", "accounts_guardian", "guardians")

    # --- Roles, classes, enrollments ---------------------------------------------------------------

    def _apply_memberships(self) -> None:
        """Roster staff get the staff role at each school (or district-wide) they are listed at.
        Anyone who left loses every role, including those assigned in the app."""
        d = int(self.district.pk)
        ended = self._update_recorded(
            "membership",
            "changed",
            "accounts_membership",
            "ended_on = %s",
            f"""district_id = {d} AND ended_on IS NULL
                AND user_id IN (SELECT id FROM accounts_user WHERE district_id = {d} AND NOT is_active)""",
            [self.today],
            [],
        )
        # Leavers stop being members of any club, team or class too.
        self.cursor.execute(
            """UPDATE accounts_programmembership SET ended_on = %s WHERE ended_on IS NULL
                AND (student_id IN (SELECT id FROM accounts_student WHERE district_id = %s AND NOT active)
                     OR user_id IN (SELECT id FROM accounts_user WHERE district_id = %s AND NOT is_active))""",
            [self.today, d, d],
        )
        # The staff roles the roster asks for, materialised once (school 0 = district-wide).
        self.cursor.execute(
            """INSERT INTO stg_staff_role (user_id, school_key)
               SELECT DISTINCT u.id, COALESCE(k.id, 0) FROM stg_user_org l
               JOIN stg_user s ON s.sourced_id = l.user_sourced_id AND s.kind = 'staff' AND s.status = 'active'
               JOIN accounts_user u ON u.district_id = %s AND u.roster_sourced_id = s.sourced_id
               LEFT JOIN accounts_school k ON k.district_id = %s AND k.roster_sourced_id = l.org_sourced_id""",
            [d, d],
        )
        self.cursor.execute("CREATE INDEX stg_staff_role_key ON stg_staff_role (user_id, school_key)")
        self.staging.analyze("stg_staff_role")
        ended += self._update_recorded(
            "membership",
            "changed",
            "accounts_membership",
            "ended_on = %s",
            f"""district_id = {d} AND ended_on IS NULL AND role = 'staff' AND source = 'roster'
                  AND user_id IN (SELECT u.id FROM accounts_user u JOIN stg_user s
                                  ON u.district_id = {d} AND u.roster_sourced_id = s.sourced_id)
                  AND NOT EXISTS (SELECT 1 FROM stg_staff_role w WHERE w.user_id = accounts_membership.user_id
                                  AND w.school_key = COALESCE(accounts_membership.school_id, 0))""",
            [self.today],
            [],
        )
        created = self._insert_recorded(
            "membership",
            "accounts_membership",
            """INSERT INTO accounts_membership (user_id, district_id, school_id, role, source, started_on)
                SELECT w.user_id, %s, NULLIF(w.school_key, 0), 'staff', 'roster', %s FROM stg_staff_role w
                WHERE NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = w.user_id
                                  AND m.role = 'staff' AND m.ended_on IS NULL
                                  AND COALESCE(m.school_id, 0) = w.school_key)""",
            [d, self.today],
        )
        self.report.counts["staff roles"] = {"created": created, "ended": ended}
        self._refresh_statistics("accounts_membership", created + ended)

    def _apply_classes(self) -> None:
        d = int(self.district.pk)
        created, changed = self._upsert(
            entity="class",
            table="accounts_program",
            source=(
                f"FROM stg_class s JOIN accounts_school k ON k.district_id = {d} "
                "AND k.roster_sourced_id = s.school_sourced_id WHERE s.status = 'active'"
            ),
            key=[("school_id", "k.id"), ("roster_sourced_id", "s.sourced_id")],
            fields=[("name", "s.title"), ("active", "TRUE")],
            extra_insert=[("kind", "'class'")],
            conflict="school_id, roster_sourced_id",
        )
        listed = "SELECT s.sourced_id FROM stg_class s WHERE s.status = 'active'"
        retired = "SELECT s.sourced_id FROM stg_class s WHERE s.status = 'tobedeleted'"
        condition = (
            f"roster_sourced_id NOT IN ({listed})" if self._bulk("classes.csv") else f"roster_sourced_id IN ({retired})"
        )
        self.cursor.execute(
            f"""UPDATE accounts_program SET active = FALSE WHERE active AND roster_sourced_id IS NOT NULL
                AND school_id IN (SELECT id FROM accounts_school WHERE district_id = %s) AND {condition}""",
            [d],
        )
        self.report.count("classes", "created", created)
        self.report.count("classes", "changed", changed)
        self.report.count("classes", "deactivated", self.cursor.rowcount)

    def _apply_enrollments(self) -> None:
        d = self.district.pk
        # The program, student or staff member each enrollment row names.
        resolved = f"""SELECT e.sourced_id, e.status, p.id AS program_id, st.id AS student_id, u.id AS user_id,
                              CASE WHEN e.role = 'student' THEN 'member' ELSE 'teacher' END AS role
                       FROM stg_enrollment e
                       JOIN accounts_program p ON p.roster_sourced_id = e.class_sourced_id
                        AND p.school_id IN (SELECT id FROM accounts_school WHERE district_id = {int(d)})
                       LEFT JOIN accounts_student st ON st.district_id = {int(d)}
                        AND st.roster_sourced_id = e.user_sourced_id
                        AND st.active
                       LEFT JOIN accounts_user u ON u.district_id = {int(d)} AND u.roster_sourced_id = e.user_sourced_id
                        AND u.is_active"""
        listed = f"SELECT r.sourced_id FROM ({resolved}) r WHERE r.status = 'active'"
        retired = "SELECT s.sourced_id FROM stg_enrollment s WHERE s.status = 'tobedeleted'"
        in_district = (
            "program_id IN (SELECT p.id FROM accounts_program p "
            "JOIN accounts_school k ON k.id = p.school_id WHERE k.district_id = %s)"
        )
        condition = (
            f"roster_sourced_id NOT IN ({listed})"
            if self._bulk("enrollments.csv")
            else f"roster_sourced_id IN ({retired})"
        )
        self.cursor.execute(
            f"""UPDATE accounts_programmembership SET ended_on = %s
                WHERE ended_on IS NULL AND source = 'roster' AND {in_district} AND {condition}""",
            [self.today, d],
        )
        ended = self.cursor.rowcount
        self.cursor.execute(
            f"""INSERT INTO accounts_programmembership
                  (program_id, student_id, user_id, role, source, roster_sourced_id, started_on)
                SELECT r.program_id, r.student_id, CASE WHEN r.student_id IS NULL THEN r.user_id END,
                       r.role, 'roster', r.sourced_id, %s
                FROM ({resolved}) r
                WHERE r.status = 'active' AND (r.student_id IS NOT NULL OR r.user_id IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM accounts_programmembership m WHERE m.program_id = r.program_id
                                  AND m.ended_on IS NULL
                                  AND (m.student_id = r.student_id
                                       OR (r.student_id IS NULL AND m.user_id = r.user_id)))""",
            [self.today],
        )
        self.report.counts["enrollments"] = {"created": self.cursor.rowcount, "ended": ended}
