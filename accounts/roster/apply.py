"""Applying: set-based upserts from the staging tables into the real ones, and the deactivation
of those the roster no longer lists. Every count in the report comes from these statements."""

from __future__ import annotations

from typing import Any

from accounts.models import District
from accounts.roster.phase import Phase
from core.history import attribute


class Applying(Phase):
    def _apply_schools(self) -> None:
        d = self.district.pk
        if not self.district.roster_sourced_id:
            district_orgs = [sid for sid, kind in self.org_types.items() if kind == "district"]
            if len(district_orgs) == 1:
                district = District.objects.get(pk=d)  # a fresh copy: a dry run must leave the caller's unchanged
                district.roster_sourced_id = district_orgs[0]
                attribute(district, self.acting_user, self.change_reason)
                district.save(update_fields=["roster_sourced_id"])
        src = "FROM stg_org s WHERE s.type = 'school' AND s.status = 'active'"
        match = "t.district_id = %s AND t.roster_sourced_id = s.sourced_id"
        fields = [("t.name", "s.name"), ("t.code", "s.identifier"), ("t.active", "TRUE")]
        created, changed = self._upsert(
            table="accounts_school",
            insert="district_id, roster_sourced_id, name, code, active",
            select=f"SELECT %s, s.sourced_id, s.name, s.identifier, TRUE {src}",
            conflict="district_id, roster_sourced_id",
            updates=[("name", "excluded.name"), ("code", "excluded.code"), ("active", "TRUE")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM accounts_school t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS "
                f"(SELECT 1 FROM accounts_school t WHERE {match} AND {self._differs(fields)})",
                [d],
            ),
        )
        gone = "s.sourced_id = accounts_school.roster_sourced_id"
        keep = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'active')"
        retired = f"EXISTS (SELECT 1 FROM stg_org s WHERE {gone} AND s.status = 'tobedeleted')"
        condition = f"NOT {keep}" if self._bulk("orgs.csv") else retired
        self.cursor.execute(
            f"""UPDATE accounts_school SET active = FALSE
                WHERE district_id = %s AND roster_sourced_id IS NOT NULL AND active AND {condition}""",
            [d],
        )
        self.report.count("schools", "created", created)
        self.report.count("schools", "changed", changed)
        self.report.count("schools", "deactivated", self.cursor.rowcount)

    def _upsert(
        self,
        *,
        insert: str,
        select: str,
        conflict: str,
        updates: list[tuple[str, str]],
        table: str,
        params: list[Any],
        pre_count: tuple[str, str, list[Any]],
    ) -> tuple[int, int]:
        """INSERT … ON CONFLICT DO UPDATE that writes only rows that differ; returns (created, changed).

        PostgreSQL counts both from the statement itself (a new row has xmax = 0), saving two
        scans of a million rows; SQLite counts beforehand with the same conditions.
        """
        statement = (
            f"INSERT INTO {table} ({insert}) {select} ON CONFLICT ({conflict}) DO UPDATE "
            f"SET {', '.join(f'{c} = {v}' for c, v in updates)} "
            f"WHERE {self._differs([(f'{table}.{c}', v) for c, v in updates])}"
        )
        if self.postgres:
            self.cursor.execute(
                f"WITH written AS ({statement} RETURNING (xmax = 0) AS created) "
                "SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FILTER (WHERE NOT created) FROM written",
                params,
            )
            created, changed = self.cursor.fetchone()
            return int(created), int(changed)
        created_sql, changed_sql, count_params = pre_count
        created = self._scalar(created_sql, count_params)
        changed = self._scalar(changed_sql, count_params)
        self.cursor.execute(statement, params)
        return created, changed

    def _people(
        self,
        *,
        kind: str,
        table: str,
        fields: list[tuple[str, str]],
        active_column: str,
        entity: str,
        extra_insert: dict[str, str],
        joins: str = "",
    ) -> None:
        """Create or update one kind of person, then deactivate those who left."""
        d = self.district.pk
        src = f"FROM stg_user s {joins} WHERE s.kind = '{kind}' AND s.status = 'active'"
        match = "t.district_id = %s AND t.roster_sourced_id = s.sourced_id"
        compare = [(f"t.{c}", e) for c, e in fields] + [(f"t.{active_column}", "TRUE")]
        columns = ["district_id", "roster_sourced_id", *[c for c, _ in fields], active_column, "left_on", *extra_insert]
        values = ["%s", "s.sourced_id", *[e for _, e in fields], "TRUE", "NULL", *extra_insert.values()]
        created, changed = self._upsert(
            table=table,
            insert=", ".join(columns),
            select=f"SELECT {', '.join(values)} {src}",
            conflict="district_id, roster_sourced_id",
            updates=[(c, f"excluded.{c}") for c, _ in fields] + [(active_column, "TRUE"), ("left_on", "NULL")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM {table} t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS (SELECT 1 FROM {table} t WHERE {match} "
                f"AND {self._differs(compare)})",
                [d],
            ),
        )
        self.report.count(entity, "created", created)
        self.report.count(entity, "changed", changed)
        where = self._leavers(kind, table, active_column)
        self.cursor.execute(f"UPDATE {table} SET {active_column} = FALSE, left_on = %s WHERE {where}", [self.today, d])
        deactivated = self.cursor.rowcount
        self.report.count(entity, "deactivated", deactivated)
        if deactivated:  # a few names, so a director can tell a real leaver list from a wrong file
            self.cursor.execute(
                f"SELECT first_name || ' ' || last_name FROM {table} WHERE district_id = %s "
                f"AND NOT {active_column} AND left_on = %s ORDER BY last_name LIMIT 5",
                [d, self.today],
            )
            self.report.deactivated_examples += [f"{row[0]} ({entity})" for row in self.cursor.fetchall()]

    def _adopt_staff_made_by_hand(self) -> None:
        """Staff created in the app before the district's first import are the roster's people
        too: linked to their row by e-mail (without case), the upsert then keeps them up to date
        instead of failing on their e-mail. _check_across_rows refused every ambiguous match."""
        row = (
            "SELECT {} FROM stg_user s "
            "WHERE s.kind = 'staff' AND s.status = 'active' AND s.email = LOWER(accounts_user.email)"
        )
        self.cursor.execute(
            f"""UPDATE accounts_user SET roster_sourced_id = ({row.format("s.sourced_id")})
                WHERE district_id = %s AND roster_sourced_id IS NULL AND EXISTS ({row.format("1")})""",
            [self.district.pk],
        )
        if self.cursor.rowcount:  # counted only when it happens: after the first import it never does
            self.report.count("staff", "matched", self.cursor.rowcount)

    def _apply_staff(self) -> None:
        password = "'!' || md5(random()::text)" if self.postgres else "'!' || hex(randomblob(20))"
        self._people(
            kind="staff",
            table="accounts_user",
            fields=[
                ("email", "s.email"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("employee_id", "s.identifier"),
            ],
            active_column="is_active",
            entity="staff",
            extra_insert={
                "password": password,
                "is_staff": "FALSE",
                "is_superuser": "FALSE",
                "job_title": "''",
                "date_joined": "CURRENT_TIMESTAMP",
            },
        )

    def _apply_students(self) -> None:
        d = int(self.district.pk)
        self._people(
            kind="student",
            table="accounts_student",
            fields=[
                ("sis_id", "CASE WHEN s.identifier <> '' THEN s.identifier ELSE s.sourced_id END"),
                ("first_name", "s.given_name"),
                ("last_name", "s.family_name"),
                ("grade", "s.grade"),
                ("school_id", "k.id"),
            ],
            active_column="active",
            entity="students",
            extra_insert={},
            joins=f"JOIN accounts_school k ON k.district_id = {d} AND k.roster_sourced_id = s.school_sourced_id",
        )

    def _apply_memberships(self) -> None:
        """Roster staff get the staff role at each school (or district-wide) they are listed at.
        Anyone who left loses every role, including those assigned in the app."""
        d = self.district.pk
        self.cursor.execute(
            """UPDATE accounts_membership SET ended_on = %s
               WHERE district_id = %s AND ended_on IS NULL
                 AND user_id IN (SELECT id FROM accounts_user WHERE district_id = %s AND NOT is_active)""",
            [self.today, d, d],
        )
        ended = self.cursor.rowcount
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
        self.cursor.execute(
            """UPDATE accounts_membership SET ended_on = %s
                WHERE district_id = %s AND ended_on IS NULL AND role = 'staff' AND source = 'roster'
                  AND user_id IN (SELECT u.id FROM accounts_user u JOIN stg_user s
                                  ON u.district_id = %s AND u.roster_sourced_id = s.sourced_id)
                  AND NOT EXISTS (SELECT 1 FROM stg_staff_role w WHERE w.user_id = accounts_membership.user_id
                                  AND w.school_key = COALESCE(accounts_membership.school_id, 0))""",
            [self.today, d, d],
        )
        ended += self.cursor.rowcount
        self.cursor.execute(
            """INSERT INTO accounts_membership (user_id, district_id, school_id, role, source, started_on)
                SELECT w.user_id, %s, NULLIF(w.school_key, 0), 'staff', 'roster', %s FROM stg_staff_role w
                WHERE NOT EXISTS (SELECT 1 FROM accounts_membership m WHERE m.user_id = w.user_id
                                  AND m.role = 'staff' AND m.ended_on IS NULL
                                  AND COALESCE(m.school_id, 0) = w.school_key)""",
            [d, self.today],
        )
        self.report.counts["staff roles"] = {"created": self.cursor.rowcount, "ended": ended}

    def _apply_classes(self) -> None:
        d = self.district.pk
        src = (
            "FROM stg_class s JOIN accounts_school k ON k.district_id = %s "
            "AND k.roster_sourced_id = s.school_sourced_id WHERE s.status = 'active'"
        )
        match = "t.school_id = k.id AND t.roster_sourced_id = s.sourced_id"
        created, changed = self._upsert(
            table="accounts_program",
            insert="school_id, roster_sourced_id, name, kind, active",
            select=f"SELECT k.id, s.sourced_id, s.title, 'class', TRUE {src}",
            conflict="school_id, roster_sourced_id",
            updates=[("name", "excluded.name"), ("active", "TRUE")],
            params=[d],
            pre_count=(
                f"SELECT COUNT(*) {src} AND NOT EXISTS (SELECT 1 FROM accounts_program t WHERE {match})",
                f"SELECT COUNT(*) {src} AND EXISTS (SELECT 1 FROM accounts_program t WHERE {match} "
                f"AND {self._differs([('t.name', 's.title'), ('t.active', 'TRUE')])})",
                [d],
            ),
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
