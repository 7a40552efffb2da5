"""Checks across rows, as SQL over the staging tables: duplicate ids, unknown references,
e-mails and ids held by someone else, and a file that would deactivate too many people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.roster.files import GUARDIAN_ROLES, STAFF_ROLES, SUPERVISOR_COLUMN
from accounts.roster.phase import Phase
from core.csv_reader import MAX_PROBLEMS

# The box to tick when a file deactivates more people than the district allows (forms.py, messages).
CONFIRM_DEPARTURES_LABEL = "I confirm that the people this file leaves out have left"


class Checking(Phase):
    def _problems_from(
        self, file: str, field_name: str, sql: str, params: list[Any], message: Callable[..., str]
    ) -> None:
        self.cursor.execute(sql + f" ORDER BY 1 LIMIT {MAX_PROBLEMS + 1}", params)
        for row in self.cursor.fetchall():
            self.report.add_problem(file, row[0], field_name, message(*row[1:]))

    def _duplicates(self, table: str, column: str, file: str, field_name: str, where: str = "1=1") -> None:
        self._problems_from(
            file,
            field_name,
            f"""SELECT s.line, s.{column}, d.first_line FROM {table} s
                JOIN (SELECT {column} AS value, MIN(line) AS first_line FROM {table}
                      WHERE {where} AND {column} <> '' GROUP BY {column} HAVING COUNT(*) > 1) d
                  ON d.value = s.{column}
                WHERE {where} AND s.line > d.first_line""",
            [],
            lambda value, first: f"{value!r} already appears on line {first}",
        )

    def _resolve_roles(self) -> None:
        """OneRoster 1.2 keeps roles apart from users: a user with a student role is a
        student (school from the primary role), a user with a staff role is staff."""
        staff = ", ".join(f"'{r}'" for r in sorted(STAFF_ROLES))
        family = ", ".join(f"'{r}'" for r in sorted(GUARDIAN_ROLES))
        self.cursor.execute(
            f"""UPDATE stg_user SET kind = CASE
                  WHEN EXISTS (SELECT 1 FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                               AND r.role = 'student') THEN 'student'
                  WHEN EXISTS (SELECT 1 FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                               AND r.role IN ({staff})) THEN 'staff'
                  WHEN EXISTS (SELECT 1 FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                               AND r.role IN ({family})) THEN 'guardian'
                  ELSE 'other' END"""
        )
        self.cursor.execute(
            f"""UPDATE stg_user SET relationship = (
                  SELECT r.role FROM stg_user_org r WHERE r.user_sourced_id = stg_user.sourced_id
                  AND r.role IN ({family}) ORDER BY r.is_primary DESC, r.line LIMIT 1)
                WHERE kind = 'guardian'"""
        )
        school_ids = [sid for sid, kind in self.org_types.items() if kind == "school"]
        self.cursor.execute("CREATE TEMP TABLE stg_school_ids (sourced_id text)")
        self.cursor.executemany("INSERT INTO stg_school_ids VALUES (%s)", [(s,) for s in school_ids])
        self.cursor.execute(
            """UPDATE stg_user SET school_sourced_id = COALESCE((
                  SELECT r.org_sourced_id FROM stg_user_org r
                  JOIN stg_school_ids k ON k.sourced_id = r.org_sourced_id
                  WHERE r.user_sourced_id = stg_user.sourced_id AND r.role = 'student'
                  ORDER BY r.is_primary DESC, r.line LIMIT 1), '')
               WHERE kind = 'student'"""
        )
        self.cursor.execute("DROP TABLE stg_school_ids")
        self.cursor.execute(f"DELETE FROM stg_user_org WHERE role NOT IN ({staff})")
        self._problems_from(
            "roles.csv",
            "userSourcedId",
            "SELECT r.line, r.user_sourced_id FROM stg_user_org r WHERE NOT EXISTS "
            "(SELECT 1 FROM stg_user u WHERE u.sourced_id = r.user_sourced_id)",
            [],
            lambda sid: f"unknown user {sid!r}",
        )
        self._problems_from(
            "users.csv",
            "sourcedId",
            "SELECT line, sourced_id FROM stg_user WHERE kind = 'student' AND status = 'active' "
            "AND school_sourced_id = ''",
            [],
            lambda sid: f"student {sid!r} has no role at a school in roles.csv",
        )

    def _check_guardian_links(self) -> None:
        """agentSourcedIds naming nobody in the file is common in real exports (families exported apart,
        or not at all): no link is made, and the report lists them as warnings, not problems."""
        self.cursor.execute(
            f"""SELECT a.line, a.agent_sourced_id FROM stg_agent a WHERE NOT EXISTS
                  (SELECT 1 FROM stg_user u WHERE u.sourced_id = a.agent_sourced_id)
                ORDER BY 1 LIMIT {MAX_PROBLEMS + 1}"""
        )
        for line, sid in self.cursor.fetchall():
            self.report.add_warning(
                "users.csv", line, "agentSourcedIds", f"{sid!r} is not in users.csv; no family link was made"
            )
        self.cursor.execute(
            f"""SELECT g.line, g.sourced_id FROM stg_user g WHERE g.kind = 'guardian' AND g.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM stg_agent a WHERE a.user_sourced_id = g.sourced_id)
                  AND NOT EXISTS (SELECT 1 FROM stg_agent a WHERE a.agent_sourced_id = g.sourced_id)
                ORDER BY 1 LIMIT {MAX_PROBLEMS + 1}"""
        )
        for line, sid in self.cursor.fetchall():
            self.report.add_warning(
                "users.csv", line, "agentSourcedIds", f"guardian {sid!r} is linked to no student; not stored"
            )

    def _check_supervisors(self) -> None:
        """A supervisor (the extension column) must be an active staff member of the same file, and
        someone else: otherwise their disclosure would reach nobody, so the report warns and the
        person is left without one (the director's list of staff without a supervisor shows them)."""
        self.cursor.execute(
            f"""SELECT s.line, s.supervisor_sourced_id, s.sourced_id FROM stg_user s
                WHERE s.kind = 'staff' AND s.status = 'active' AND s.supervisor_sourced_id <> ''
                  AND (s.supervisor_sourced_id = s.sourced_id OR NOT EXISTS (
                       SELECT 1 FROM stg_user u WHERE u.sourced_id = s.supervisor_sourced_id
                       AND u.kind = 'staff' AND u.status = 'active'))
                ORDER BY 1 LIMIT {MAX_PROBLEMS + 1}"""
        )
        for line, supervisor, sid in self.cursor.fetchall():
            why = (
                "someone cannot be their own supervisor"
                if supervisor == sid
                else f"{supervisor!r} is not an active staff member in users.csv"
            )
            self.report.add_warning("users.csv", line, SUPERVISOR_COLUMN, f"{why}; no supervisor was set")

    def _check_across_rows(self, *, has_classes: bool, has_enrollments: bool) -> None:
        district_id = self.district.pk
        self._duplicates("stg_user", "sourced_id", "users.csv", "sourcedId")
        active_staff = "kind = 'staff' AND status = 'active'"
        self._problems_from(
            "users.csv",
            "email",
            f"SELECT line, sourced_id FROM stg_user WHERE {active_staff} AND email = ''",
            [],
            lambda sid: "staff sign in with their e-mail address: a value is required",
        )
        self._duplicates("stg_user", "email", "users.csv", "email", active_staff)
        self._duplicates("stg_user", "identifier", "users.csv", "identifier", active_staff)
        self._duplicate_student_ids()
        self._problems_from(
            "users.csv",
            "sourcedId",
            "SELECT line, sourced_id FROM stg_user WHERE kind = 'student' AND status = 'active' "
            "AND identifier = '' AND LENGTH(sourced_id) > 64",
            [],
            lambda sid: "longer than 64 characters: a student without an identifier is known by this id",
        )
        # An e-mail (compared without case) may belong only to the row's own person: the one linked
        # to its sourcedId, or else one made by hand in this district, whom the import adopts
        # (_adopt_staff_made_by_hand). Anyone else (another district, a platform operator, someone
        # linked to another sourcedId, a second holder) refuses the row. NULLs count as different.
        self._problems_from(
            "users.csv",
            "email",
            f"""SELECT DISTINCT s.line, s.email FROM stg_user s JOIN accounts_user u ON LOWER(u.email) = s.email
                WHERE s.kind = 'staff' AND s.status = 'active'
                  AND ({self._differs([("u.district_id", "%s")])}
                       OR (u.roster_sourced_id IS NOT NULL AND u.roster_sourced_id <> s.sourced_id)
                       OR (u.roster_sourced_id IS NULL AND (
                             EXISTS (SELECT 1 FROM accounts_user o
                                     WHERE o.district_id = %s AND o.roster_sourced_id = s.sourced_id)
                             OR EXISTS (SELECT 1 FROM accounts_user o
                                        WHERE LOWER(o.email) = s.email AND o.id <> u.id))))""",
            [district_id, district_id],
            lambda email: f"{email!r} already belongs to another person in this system",
        )
        # The same for employee ids, unique in a district: held by anyone but the row's own person
        # (linked, or adopted by e-mail), the upsert would fail on the constraint.
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT DISTINCT s.line, s.identifier FROM stg_user s
                 JOIN accounts_user u ON u.district_id = %s AND u.employee_id = s.identifier
                WHERE s.kind = 'staff' AND s.status = 'active' AND s.identifier <> ''
                  AND (u.roster_sourced_id IS NULL OR u.roster_sourced_id <> s.sourced_id)
                  AND NOT (u.roster_sourced_id IS NULL AND LOWER(u.email) = s.email
                           AND NOT EXISTS (SELECT 1 FROM accounts_user o
                                           WHERE o.district_id = %s AND o.roster_sourced_id = s.sourced_id))""",
            [district_id, district_id],
            lambda value: f"employee id {value!r} already belongs to another person in this district",
        )
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT s.line, s.identifier FROM stg_user s JOIN accounts_student t
                  ON t.district_id = %s
                 AND t.sis_id = CASE WHEN s.identifier <> '' THEN s.identifier ELSE s.sourced_id END
                WHERE s.kind = 'student' AND s.status = 'active'
                  AND (t.roster_sourced_id IS NULL OR t.roster_sourced_id <> s.sourced_id)""",
            [district_id],
            lambda value: f"student id {value!r} already belongs to another student",
        )
        if has_classes:
            self._duplicates("stg_class", "sourced_id", "classes.csv", "sourcedId")
        if has_enrollments:
            self._duplicates("stg_enrollment", "sourced_id", "enrollments.csv", "sourcedId")
            self._problems_from(
                "enrollments.csv",
                "classSourcedId",
                """SELECT e.line, e.class_sourced_id FROM stg_enrollment e WHERE e.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM stg_class c WHERE c.sourced_id = e.class_sourced_id)""",
                [],
                lambda sid: f"unknown class {sid!r}",
            )
            self._problems_from(
                "enrollments.csv",
                "userSourcedId",
                """SELECT e.line, e.user_sourced_id FROM stg_enrollment e WHERE e.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM stg_user u WHERE u.sourced_id = e.user_sourced_id
                                   AND u.kind IN ('staff', 'student'))""",
                [],
                lambda sid: f"unknown user {sid!r}",
            )

    def _check_departures(self) -> None:
        """A users.csv cut short (a header only, the staff without the students) would deactivate
        everyone it leaves out. Staff and students are counted apart, so a file without the staff
        stands out beside the far more numerous students. A district's first import, with nobody
        from the roster yet, deactivates nobody. A dry run is refused alike, so the director sees
        the problem before the real run; with confirmation it shows who would leave."""
        if self.confirm_departures:
            return
        d = self.district.pk
        limit = self.district.roster_deactivation_limit_percent
        for kind, table, active_column, label in (
            ("staff", "accounts_user", "is_active", "staff"),
            ("student", "accounts_student", "active", "students"),
        ):
            leavers = self._leavers(kind, table, active_column)
            active = self._scalar(
                f"SELECT COUNT(*) FROM {table} WHERE district_id = %s AND roster_sourced_id IS NOT NULL "
                f"AND {active_column}",
                [d],
            )
            leaving = self._scalar(f"SELECT COUNT(*) FROM {table} WHERE {leavers}", [d])
            if not active or leaving * 100 <= limit * active:
                continue
            self.cursor.execute(
                f"SELECT first_name || ' ' || last_name FROM {table} WHERE {leavers} "
                "ORDER BY last_name, first_name LIMIT 3",
                [d],
            )
            examples = ", ".join(row[0] for row in self.cursor.fetchall())
            share = -(-leaving * 100 // active)  # rounded up: 33.3% over a 33% limit reads 34%
            self.report.add_problem(
                "users.csv",
                None,
                None,
                f"would deactivate {leaving:,} of the district's {active:,} active {label} ({share}%; its "
                f"policy allows {limit}% at once). If they have left, tick “{CONFIRM_DEPARTURES_LABEL}” "
                f"(or use --confirm-departures) and import again. For example: {examples}",
            )

    def _duplicate_student_ids(self) -> None:
        self._problems_from(
            "users.csv",
            "identifier",
            """SELECT s.line, s.sid, d.first_line FROM
                 (SELECT line, CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END AS sid
                  FROM stg_user WHERE kind = 'student' AND status = 'active') s
               JOIN (SELECT CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END AS sid,
                            MIN(line) AS first_line
                     FROM stg_user WHERE kind = 'student' AND status = 'active'
                     GROUP BY CASE WHEN identifier <> '' THEN identifier ELSE sourced_id END
                     HAVING COUNT(*) > 1) d ON d.sid = s.sid
               WHERE s.line > d.first_line""",
            [],
            lambda value, first: f"student id {value!r} already appears on line {first}",
        )
