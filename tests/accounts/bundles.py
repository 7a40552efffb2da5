"""Small OneRoster bundles for tests, written as real CSV files (a folder or a zip)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

ORG_HEADER = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_HEADER_11 = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
USER_HEADER_12 = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
ROLE_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
]
CLASS_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
]
ENROLLMENT_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
]


def org(sid: str, name: str, kind: str = "school", status: str = "active", identifier: str = "") -> dict:
    return {
        "sourcedId": sid,
        "status": status,
        "dateLastModified": "2026-08-01T10:00:00Z",
        "name": name,
        "type": kind,
        "identifier": identifier,
        "parentSourcedId": "" if kind == "district" else "d1",
    }


def user(
    sid: str,
    given: str,
    family: str,
    role: str = "teacher",
    orgs: str = "sch1",
    email: str = "",
    identifier: str = "",
    grades: str = "",
    status: str = "active",
) -> dict:
    if role in ("teacher", "administrator", "aide") and not email:
        email = f"{given.lower()}.{family.lower()}@north.example.org"
    return {
        "sourcedId": sid,
        "status": status,
        "dateLastModified": "2026-08-01T10:00:00Z",
        "enabledUser": "true",
        "orgSourcedIds": orgs,
        "role": role,
        "username": sid,
        "givenName": given,
        "familyName": family,
        "identifier": identifier,
        "email": email,
        "grades": grades,
    }


def standard_files() -> dict[str, list[dict]]:
    """A district with two schools, three staff, four students, a class and enrollments."""
    return {
        "orgs.csv": [
            org("d1", "North District", "district"),
            org("sch1", "North High", identifier="101"),
            org("sch2", "North Elementary", identifier="102"),
        ],
        "users.csv": [
            user("t1", "Ada", "Lovelace", identifier="E001"),
            user("t2", "Grace", "Hopper", orgs="sch1,sch2", identifier="E002"),
            user("a1", "Alan", "Turing", role="administrator", orgs="d1", identifier="E003"),
            user("s1", "Sam", "Student", role="student", identifier="1001", grades="09"),
            user("s2", "Kim", "Pupil", role="student", identifier="1002", grades="10"),
            user("s3", "Lee", "Learner", role="student", orgs="sch2", identifier="1003", grades="K"),
            user("s4", "Max", "Minor", role="student", orgs="sch2", grades="3"),
            user("p1", "Pat", "Parent", role="parent", orgs="sch1"),
        ],
        "classes.csv": [
            {
                "sourcedId": "c1",
                "status": "active",
                "title": "Robotics",
                "schoolSourcedId": "sch1",
                "courseSourcedId": "course1",
                "classType": "scheduled",
                "termSourcedIds": "term1",
            },
        ],
        "enrollments.csv": [
            {
                "sourcedId": "e1",
                "status": "active",
                "classSourcedId": "c1",
                "schoolSourcedId": "sch1",
                "userSourcedId": "s1",
                "role": "student",
            },
            {
                "sourcedId": "e2",
                "status": "active",
                "classSourcedId": "c1",
                "schoolSourcedId": "sch1",
                "userSourcedId": "t1",
                "role": "teacher",
                "primary": "true",
            },
        ],
    }


DEMOGRAPHIC_HEADER = ["sourcedId", "status", "dateLastModified", "birthDate", "sex", "hispanicOrLatinoEthnicity"]

HEADERS = {
    "demographics.csv": DEMOGRAPHIC_HEADER,
    "orgs.csv": ORG_HEADER,
    "users.csv": USER_HEADER_11,
    "classes.csv": CLASS_HEADER,
    "enrollments.csv": ENROLLMENT_HEADER,
    "roles.csv": ROLE_HEADER,
}


def guardian(
    sid: str, given: str, family: str, children: str, role: str = "parent", status: str = "active", **extra: str
) -> dict:
    """A parent or guardian (OneRoster 1.1 users.csv), linked to `children` (comma-separated sourcedIds)."""
    return {
        "sourcedId": sid,
        "status": status,
        "role": role,
        "givenName": given,
        "familyName": family,
        "agentSourcedIds": children,
        "email": f"{given.lower()}@family.example.org",
        **extra,
    }


def to_csv(rows: list[dict], header: list[str]) -> str:
    # Columns the standard header lacks (an extension such as metadata.preferredLanguage) are added.
    header = header + [k for k in dict.fromkeys(k for row in rows for k in row) if k not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return out.getvalue()


def manifest(version: str = "1.1", modes: dict[str, str] | None = None) -> str:
    lines = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    for name in (
        "academicSessions",
        "categories",
        "classes",
        "courses",
        "demographics",
        "enrollments",
        "lineItems",
        "orgs",
        "results",
        "users",
        "roles",
    ):
        lines.append(f"file.{name},{(modes or {}).get(name, 'bulk')}")
    lines += ["source.systemName,Test SIS", "source.systemCode,test"]
    return "\r\n".join(lines) + "\r\n"


def write_bundle(
    directory: Path,
    files: dict[str, list[dict]] | None = None,
    *,
    version: str = "1.1",
    modes: dict[str, str] | None = None,
    raw: dict[str, str | bytes] | None = None,
    as_zip: bool = False,
) -> Path:
    """Write a bundle; `raw` replaces or adds files verbatim (text or bytes) for bad-input tests."""
    files = standard_files() if files is None else files
    contents: dict[str, str | bytes] = {"manifest.csv": manifest(version, modes)}
    for name, rows in files.items():
        header = USER_HEADER_12 if (name == "users.csv" and version == "1.2") else HEADERS[name]
        contents[name] = to_csv(rows, header)
    contents.update(raw or {})
    directory.mkdir(parents=True, exist_ok=True)
    if as_zip:
        path = directory / "roster.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, content in contents.items():
                bundle.writestr(f"export/{name}", content)
        return path
    for name, content in contents.items():
        target = directory / name
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return directory
