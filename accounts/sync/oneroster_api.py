"""Pulling a roster from a OneRoster 1.1 or 1.2 REST API (Clever, ClassLink, an SIS) into a bundle.

OAuth 2.0 client credentials give a bearer token (client id and secret sent with HTTP Basic to the
token address). Each collection (orgs, users, classes, enrollments, and demographics where the server
shares them, for students' birth dates) is read page by page with
`limit` and `offset`, following the `Link: <…>; rel="next"` header when the server sends one and
stopping at `X-Total-Count`, or at a short page when it sends neither. Records are written straight
into a OneRoster CSV zip as they arrive, one page in memory at a time; the zip is then imported like
any other bundle, with every check. Any failure (unreachable, refused, an error answer, JSON that is
not OneRoster) stops the pull with one plain message and nothing is imported.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from accounts.roster.files import SUPERVISOR_COLUMN
from core import outbound

MAX_PAGE_BYTES = 64 << 20  # one page of JSON; far above 10,000 users
MAX_PAGES = 100_000  # a server that never stops paging is stopped
LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?', re.IGNORECASE)

ORG_COLUMNS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
USER_COLUMNS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "metadata.preferredLanguage",
    SUPERVISOR_COLUMN,
]
ROLE_COLUMNS = ["sourcedId", "status", "userSourcedId", "roleType", "role", "orgSourcedId", "beginDate", "endDate"]
CLASS_COLUMNS = ["sourcedId", "status", "dateLastModified", "title", "classCode", "schoolSourcedId"]
# Only what the import reads: a student's birth date (sex, race and ethnicity are never copied).
DEMOGRAPHIC_COLUMNS = ["sourcedId", "status", "dateLastModified", "birthDate"]
ENROLLMENT_COLUMNS = [
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


class ApiFailed(Exception):
    """The pull stopped; `where` names the address part (token, orgs, users…) for the report."""

    def __init__(self, where: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.status = status  # the HTTP status the API answered, when it answered one


@dataclass(frozen=True)
class ApiSettings:
    base_url: str
    token_url: str
    client_id: str
    client_secret: str
    version: str  # "1.1" or "1.2"


def _ref(value: Any) -> str:
    """A GUIDRef ({"sourcedId": …}) or a bare id, as the id."""
    if isinstance(value, dict):
        return str(value.get("sourcedId", ""))
    return "" if value is None else str(value)


def _refs(values: Any) -> str:
    return ",".join(_ref(v) for v in values or [] if _ref(v))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


class Client:
    def __init__(self, api: ApiSettings, *, opener: Callable[..., Any] | None = None) -> None:
        self.api = api
        self.timeout = settings.ROSTER_API_TIMEOUT_SECONDS
        self.page_size = settings.ROSTER_API_PAGE_SIZE
        # Only public addresses, only http(s), redirects on the same address (core.outbound).
        self._open = opener or outbound.opener(allow_private=settings.ROSTER_API_ALLOW_PRIVATE_ADDRESSES).open
        self._token: str | None = None
        self.records = 0
        for url in (api.base_url, api.token_url):
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme != "https" and not (scheme == "http" and settings.ROSTER_API_ALLOW_HTTP):
                raise ApiFailed("settings", f"{url} is not an https:// address; student data only travels encrypted")

    def _request(self, request: urllib.request.Request, where: str) -> tuple[bytes, Any]:
        try:
            with self._open(request, timeout=self.timeout) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
                headers = response.headers
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                detail = "refused the client id and secret" if where == "token" else "refused the access token"
                raise ApiFailed(
                    where, f"the API {detail} ({error.code}); check the client id and secret", error.code
                ) from None
            raise ApiFailed(where, f"the API answered {error.code} ({error.reason}) for {where}", error.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ApiFailed(where, f"the API could not be reached ({reason})") from None
        if len(body) > MAX_PAGE_BYTES:
            raise ApiFailed(where, f"one page of {where} is larger than {MAX_PAGE_BYTES >> 20} MB; use a smaller page")
        return body, headers

    def _json(self, body: bytes, where: str) -> Any:
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiFailed(where, f"the API's answer for {where} is not JSON ({error.__class__.__name__})") from None

    def token(self) -> str:
        if self._token is None:
            credentials = f"{self.api.client_id}:{self.api.client_secret}".encode()
            request = urllib.request.Request(  # noqa: S310 - checked in __init__
                self.api.token_url,
                data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
                headers={
                    "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
                method="POST",
            )
            body, _ = self._request(request, "token")
            answer = self._json(body, "token")
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise ApiFailed("token", "the token address answered without an access_token")
            self._token = token
        return self._token

    def records_of(self, collection: str, *, optional: bool = False) -> Iterator[dict[str, Any]]:
        """Every record of one collection, page by page. An `optional` collection the server does not
        share (404 or 403 on its first page) has no records."""
        base = self.api.base_url.rstrip("/")
        url: str | None = f"{base}/{collection}?limit={self.page_size}&offset=0"
        offset = 0
        for _ in range(MAX_PAGES):
            if url is None:
                return
            request = urllib.request.Request(  # noqa: S310 - checked in __init__
                url, headers={"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
            )
            where = f"{collection} (records from {offset:,})"
            try:
                body, headers = self._request(request, where)
            except ApiFailed as failed:
                if optional and offset == 0 and failed.status in (403, 404):
                    return  # many servers do not share demographics; the import then keeps what it knows
                raise
            page = self._json(body, where)
            items = page.get(collection) if isinstance(page, dict) else None
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise ApiFailed(where, f"the API's answer for {where} has no list of {collection}")
            yield from items
            self.records += len(items)
            offset += len(items)
            total = headers.get("X-Total-Count")
            link = LINK_NEXT.search(headers.get("Link", "") or "")
            if link:
                url = urllib.parse.urljoin(url, link.group(1))
                if outbound.origin(url) != outbound.origin(base):
                    # The bearer token goes with the request: only to the address the district gave.
                    raise ApiFailed(where, f"the API's next page is on another address ({url}), which is not followed")
            elif not items or (total and total.isdigit() and offset >= int(total)) or len(items) < self.page_size:
                url = None
            else:
                url = f"{base}/{collection}?limit={self.page_size}&offset={offset}"
        raise ApiFailed(collection, f"the API kept paging {collection} past {MAX_PAGES:,} pages")


def _writer(out: IO[str], columns: list[str]) -> Any:
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    return writer


@contextlib.contextmanager
def _member(bundle: zipfile.ZipFile, name: str) -> Iterator[IO[str]]:
    with bundle.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        yield text


def pull(api: ApiSettings, target: Path, *, opener: Callable[..., Any] | None = None) -> int:
    """Write the API's roster to `target` as a OneRoster CSV zip; returns how many records it read."""
    client = Client(api, opener=opener)
    v12 = api.version == "1.2"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        files = ["orgs", "users", "classes", "enrollments"] + (["roles"] if v12 else [])
        with _member(bundle, "orgs.csv") as out:
            writer = _writer(out, ORG_COLUMNS)
            for org in client.records_of("orgs"):
                writer.writerow(
                    {**{k: _text(org.get(k)) for k in ORG_COLUMNS}, "parentSourcedId": _ref(org.get("parent"))}
                )
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as roles:
            role_writer = _writer(roles, ROLE_COLUMNS)
            with _member(bundle, "users.csv") as out:
                writer = _writer(out, USER_COLUMNS)
                for user in client.records_of("users"):
                    row = {k: _text(user.get(k)) for k in USER_COLUMNS}
                    found = user.get("metadata")
                    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
                    row.update(
                        orgSourcedIds=_refs(user.get("orgs")),
                        agentSourcedIds=_refs(user.get("agents")),
                        grades=_text(user.get("grades")),
                        **{
                            "metadata.preferredLanguage": _text(metadata.get("preferredLanguage")),
                            SUPERVISOR_COLUMN: _text(metadata.get("supervisorSourcedId")),
                        },
                    )
                    writer.writerow(row)
                    for n, role in enumerate(user.get("roles") or [] if v12 else []):
                        if isinstance(role, dict):
                            role_writer.writerow(
                                {
                                    "sourcedId": f"{row['sourcedId']}-role-{n}",
                                    "status": "active",
                                    "userSourcedId": row["sourcedId"],
                                    "roleType": _text(role.get("roleType")),
                                    "role": _text(role.get("role")),
                                    "orgSourcedId": _ref(role.get("org")),
                                    "beginDate": _text(role.get("beginDate")),
                                    "endDate": _text(role.get("endDate")),
                                }
                            )
            if v12:
                roles.seek(0)
                with _member(bundle, "roles.csv") as out:
                    while chunk := roles.read(1 << 20):
                        out.write(chunk)
        with _member(bundle, "classes.csv") as out:
            writer = _writer(out, CLASS_COLUMNS)
            for item in client.records_of("classes"):
                writer.writerow(
                    {**{k: _text(item.get(k)) for k in CLASS_COLUMNS}, "schoolSourcedId": _ref(item.get("school"))}
                )
        with _member(bundle, "enrollments.csv") as out:
            writer = _writer(out, ENROLLMENT_COLUMNS)
            for item in client.records_of("enrollments"):
                writer.writerow(
                    {
                        **{k: _text(item.get(k)) for k in ENROLLMENT_COLUMNS},
                        "classSourcedId": _ref(item.get("class")),
                        "schoolSourcedId": _ref(item.get("school")),
                        "userSourcedId": _ref(item.get("user")),
                    }
                )
        with _member(bundle, "demographics.csv") as out:
            writer = _writer(out, DEMOGRAPHIC_COLUMNS)
            for item in client.records_of("demographics", optional=True):
                writer.writerow({k: _text(item.get(k)) for k in DEMOGRAPHIC_COLUMNS})
        files.append("demographics")
        manifest = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{api.version}"]
        manifest += [f"file.{name},bulk" for name in files] + ["source.systemName,OneRoster API"]
        bundle.writestr("manifest.csv", "\r\n".join(manifest) + "\r\n")
    return client.records
