"""Loading: each file's rows, checked one at a time, streamed into the staging tables."""

from __future__ import annotations

from accounts.roster.bundle import Bundle
from accounts.roster.files import (
    EMAIL_RE,
    GUARDIAN_ROLES,
    ORG_TYPES,
    SPECS,
    STAFF_ROLES,
    STUDENT_ROLES,
    SUPERVISOR_COLUMN,
    birth_date_of,
    check_date,
    check_lengths,
    grade_of,
    has_required,
    status_of,
)
from accounts.roster.phase import Phase
from core.csv_reader import CsvRows


class Loading(Phase):
    _bytes_done: int
    _bytes_total: int

    def _on_bytes(self, n: int) -> None:
        before = self._bytes_done * 100 // self._bytes_total
        self._bytes_done += n
        after = self._bytes_done * 100 // self._bytes_total
        if after != before:
            self.progress(0.6 * self._bytes_done / self._bytes_total, f"Reading files ({after}%)")

    def _rows(self, bundle: Bundle, key: str) -> CsvRows:
        return CsvRows(bundle, SPECS[key], self.report, self._on_bytes)

    def _load_orgs(self, bundle: Bundle) -> None:
        file = "orgs.csv"
        seen_lines: dict[str, int] = {}
        with self.staging.writer("stg_org") as out:
            for line, row in self._rows(bundle, file):
                self.report.rows_read += 1
                if not has_required(self.report, file, line, row, "sourcedId", "name", "type"):
                    continue
                sid, kind = row["sourcedId"], row["type"].lower()
                status = status_of(self.report, file, line, row.get("status", ""))
                check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                check_lengths(self.report, file, line, row, {"sourcedId": 255, "name": 200, "identifier": 64})
                if kind not in ORG_TYPES:
                    self.report.add_problem(file, line, "type", f"{row['type']!r} is not an OneRoster org type")
                if sid in seen_lines:
                    self.report.add_problem(
                        file, line, "sourcedId", f"{sid!r} already appears on line {seen_lines[sid]}"
                    )
                    continue
                seen_lines[sid] = line
                self.org_types[sid] = kind
                out.write((line, sid, status, row["name"], kind, row.get("identifier", "")))
        district_orgs = [sid for sid, kind in self.org_types.items() if kind == "district"]
        expected = self.district.roster_sourced_id
        if expected and district_orgs and expected not in district_orgs:
            self.report.add_problem(
                file,
                None,
                "sourcedId",
                f"this bundle is for another district (expected district org {expected!r}, found {district_orgs[0]!r})",
            )
        # Orgs already known from earlier imports, for bundles that send only changes (delta).
        known = self.district.schools.exclude(roster_sourced_id=None).values_list("roster_sourced_id", flat=True)
        for known_sid in known:
            if known_sid is not None:  # excluded above; the column itself may be empty
                self.org_types.setdefault(known_sid, "school")
        if expected:
            self.org_types.setdefault(expected, "district")

    def _load_users(self, bundle: Bundle, version: str) -> None:
        file = "users.csv"
        # Links spool to disk and load after the users COPY closes (inner context exits first).
        with (
            self.staging.writer("stg_user_org", spooled=True) as links,
            self.staging.writer("stg_agent", spooled=True) as agents,
            self.staging.writer("stg_user") as users,
        ):
            for line, row in self._rows(bundle, f"users.csv@{version}"):
                self.report.rows_read += 1
                if not has_required(self.report, file, line, row, "sourcedId", "givenName", "familyName"):
                    continue
                status = status_of(self.report, file, line, row.get("status", ""))
                check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                phone = row.get("phone", "") or row.get("sms", "")
                language = row.get("preferredLanguage", "") or row.get("metadata.preferredLanguage", "")
                check_lengths(
                    self.report,
                    file,
                    line,
                    {**row, "phone": phone, "preferredLanguage": language},
                    {
                        "sourcedId": 255,
                        "givenName": 150,
                        "familyName": 150,
                        "identifier": 64,
                        "email": 254,
                        "phone": 32,
                        "preferredLanguage": 35,
                        SUPERVISOR_COLUMN: 255,
                    },
                )
                email = row.get("email", "").lower()
                if email and not EMAIL_RE.match(email):
                    self.report.add_problem(file, line, "email", f"{row['email']!r} is not an e-mail address")
                grade = grade_of(self.report, file, line, row.get("grades", ""))
                kind, school, relationship = "", "", ""
                sid = row["sourcedId"]
                for agent in row.get("agentSourcedIds", "").split(","):
                    if agent.strip():
                        agents.write((line, sid, agent.strip()))
                if version == "1.1":
                    role = row["role"].lower()
                    if role in STUDENT_ROLES:
                        kind = "student"
                    elif role in STAFF_ROLES:
                        kind = "staff"
                    elif role in GUARDIAN_ROLES:
                        kind, relationship = "guardian", role
                    else:
                        self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                        continue
                    org_ids = [o.strip() for o in row["orgSourcedIds"].split(",") if o.strip()]
                    if not org_ids and kind != "guardian":
                        self.report.add_problem(file, line, "orgSourcedIds", "a value is required")
                    for position, org_id in enumerate(org_ids):
                        org_type = self.org_types.get(org_id)
                        if org_type is None:
                            self.report.add_problem(file, line, "orgSourcedIds", f"unknown org {org_id!r}")
                            continue
                        if kind == "guardian":
                            continue
                        if org_type == "school" and not school:
                            school = org_id
                        if kind == "staff":
                            links.write((line, sid, org_id, role, 1 if position == 0 else 0))
                    if kind == "student" and org_ids and not school and status == "active":
                        self.report.add_problem(file, line, "orgSourcedIds", "a student must belong to a school")
                users.write(
                    (
                        line,
                        sid,
                        status,
                        kind,
                        row["givenName"],
                        row["familyName"],
                        email,
                        row.get("identifier", ""),
                        grade,
                        school,
                        phone,
                        language,
                        relationship,
                        row.get(SUPERVISOR_COLUMN, "").strip(),
                    )
                )

    def _load_roles(self, bundle: Bundle) -> None:
        file = "roles.csv"
        with self.staging.writer("stg_user_org") as links:
            for line, row in self._rows(bundle, "roles.csv"):
                self.report.rows_read += 1
                if not has_required(self.report, file, line, row, "sourcedId", "userSourcedId", "role", "orgSourcedId"):
                    continue
                status = status_of(self.report, file, line, row.get("status", ""))
                for column in ("dateLastModified", "beginDate", "endDate"):
                    check_date(self.report, file, line, column, row.get(column, ""))
                role = row["role"].lower()
                if role not in STAFF_ROLES | STUDENT_ROLES | GUARDIAN_ROLES:
                    self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                    continue
                role_type = row["roleType"].lower()
                if role_type not in ("primary", "secondary"):
                    self.report.add_problem(file, line, "roleType", f"{row['roleType']!r} is not primary or secondary")
                org_id = row["orgSourcedId"]
                if org_id not in self.org_types:
                    self.report.add_problem(file, line, "orgSourcedId", f"unknown org {org_id!r}")
                    continue
                if status == "active":
                    links.write((line, row["userSourcedId"], org_id, role, 1 if role_type == "primary" else 0))

    def _load_classes(self, bundle: Bundle) -> None:
        file = "classes.csv"
        with self.staging.writer("stg_class") as out:
            for line, row in self._rows(bundle, "classes.csv"):
                self.report.rows_read += 1
                if not has_required(self.report, file, line, row, "sourcedId", "title", "schoolSourcedId"):
                    continue
                status = status_of(self.report, file, line, row.get("status", ""))
                check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                check_lengths(self.report, file, line, row, {"sourcedId": 255, "title": 200})
                school = row["schoolSourcedId"]
                if self.org_types.get(school) != "school":
                    self.report.add_problem(file, line, "schoolSourcedId", f"unknown school {school!r}")
                    continue
                out.write((line, row["sourcedId"], status, row["title"], school))

    def _load_demographics(self, bundle: Bundle) -> None:
        file = "demographics.csv"
        with self.staging.writer("stg_demographic") as out:
            for line, row in self._rows(bundle, file):
                self.report.rows_read += 1
                if not has_required(self.report, file, line, row, "sourcedId"):
                    continue
                status = status_of(self.report, file, line, row.get("status", ""))
                check_date(self.report, file, line, "dateLastModified", row.get("dateLastModified", ""))
                check_lengths(self.report, file, line, row, {"sourcedId": 255})
                born = birth_date_of(self.report, file, line, row.get("birthDate", ""), self.today)
                out.write((line, row["sourcedId"], status, born))

    def _load_enrollments(self, bundle: Bundle) -> None:
        file = "enrollments.csv"
        with self.staging.writer("stg_enrollment") as out:
            for line, row in self._rows(bundle, "enrollments.csv"):
                self.report.rows_read += 1
                if not has_required(
                    self.report, file, line, row, "sourcedId", "classSourcedId", "userSourcedId", "role"
                ):
                    continue
                status = status_of(self.report, file, line, row.get("status", ""))
                check_lengths(self.report, file, line, row, {"sourcedId": 255})
                for column in ("dateLastModified", "beginDate", "endDate"):
                    check_date(self.report, file, line, column, row.get(column, ""))
                role = row["role"].lower()
                if role not in STAFF_ROLES | STUDENT_ROLES | GUARDIAN_ROLES:
                    self.report.add_problem(file, line, "role", f"{row['role']!r} is not an OneRoster role")
                    continue
                if role in GUARDIAN_ROLES:
                    continue
                out.write((line, row["sourcedId"], status, row["classSourcedId"], row["userSourcedId"], role))
