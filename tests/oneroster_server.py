"""A OneRoster REST server on loopback for the sync tests and the pull benchmark: OAuth 2.0 client
credentials at /token (HTTP Basic), a bearer token required everywhere else, collections paged with
limit/offset and answered with X-Total-Count and a Link rel="next" header, as Clever, ClassLink and
SIS hosts do. It can be told to fail: an error status or broken JSON from a given record on."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "registry-client"
CLIENT_SECRET = "s3cret-for-tests-only"
PREFIX = "/ims/oneroster/v1p1"


@dataclass
class Failure:
    collection: str
    from_offset: int
    status: int = 500  # 200 with broken JSON when `broken_json`
    broken_json: bool = False


@dataclass
class OneRosterServer:
    # collection -> records, or a callable(offset, limit) -> (records, total) for large generated rosters
    collections: dict[str, list[dict] | Callable[[int, int], tuple[list[dict], int]]] = field(default_factory=dict)
    failure: Failure | None = None
    tokens: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)
    use_link_header: bool = True
    next_link_origin: str = ""  # "http://elsewhere:80": the Link header points off this server

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                server.requests.append(self.path)
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.path != "/token" or form.get("grant_type") != ["client_credentials"]:
                    self._send(400, b'{"error": "invalid_request"}')
                elif self.headers.get("Authorization") != f"Basic {expected}":
                    self._send(401, b'{"error": "invalid_client"}')
                else:
                    token = secrets.token_urlsafe(16)
                    server.tokens.add(token)
                    self._send(200, json.dumps({"access_token": token, "token_type": "bearer"}).encode())

            def do_GET(self) -> None:
                server.requests.append(self.path)
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in server.tokens:
                    self._send(401, b'{"error": "invalid_token"}')
                    return
                url = urlsplit(self.path)
                collection = url.path.removeprefix(PREFIX + "/")
                if collection not in server.collections:
                    self._send(404, b'{"error": "not found"}')
                    return
                query = parse_qs(url.query)
                limit, offset = int(query.get("limit", ["100"])[0]), int(query.get("offset", ["0"])[0])
                failure = server.failure
                if failure and failure.collection == collection and offset >= failure.from_offset:
                    if failure.broken_json:
                        self._send(200, b'{"users": [{"sourcedId": "x", ')
                    else:
                        self._send(failure.status, b'{"error": "internal"}')
                    return
                source = server.collections[collection]
                if callable(source):
                    records, total = source(offset, limit)
                else:
                    records, total = source[offset : offset + limit], len(source)
                headers = {"X-Total-Count": str(total)}
                if server.use_link_header and offset + limit < total:
                    following = f"{server.next_link_origin}{PREFIX}/{collection}?limit={limit}&offset={offset + limit}"
                    headers["Link"] = f'<{following}>; rel="next"'
                self._send(200, json.dumps({collection: records}).encode(), headers)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def roster_records() -> dict[str, list[dict]]:
    """The standard test district (tests/accounts/bundles.py) as OneRoster 1.1 JSON, with a family."""
    school = {"sourcedId": "sch1", "type": "org"}
    return {
        "orgs": [
            {"sourcedId": "d1", "status": "active", "name": "North District", "type": "district", "identifier": ""},
            {
                "sourcedId": "sch1",
                "status": "active",
                "name": "North High",
                "type": "school",
                "identifier": "101",
                "parent": {"sourcedId": "d1"},
            },
            {
                "sourcedId": "sch2",
                "status": "active",
                "name": "North Elementary",
                "type": "school",
                "identifier": "102",
                "parent": {"sourcedId": "d1"},
            },
        ],
        "users": [
            {
                "sourcedId": "t1",
                "status": "active",
                "role": "teacher",
                "givenName": "Ada",
                "familyName": "Lovelace",
                "email": "ada.lovelace@north.example.org",
                "identifier": "E001",
                "orgs": [school],
                "enabledUser": True,
                "dateLastModified": "2026-08-01T10:00:00.000Z",
            },
            {
                "sourcedId": "t2",
                "status": "active",
                "role": "teacher",
                "givenName": "Grace",
                "familyName": "Hopper",
                "email": "grace.hopper@north.example.org",
                "identifier": "E002",
                "orgs": [school],
                # The supervisor extension (accounts.roster.files.SUPERVISOR_COLUMN).
                "metadata": {"supervisorSourcedId": "t1"},
            },
            {
                "sourcedId": "s1",
                "status": "active",
                "role": "student",
                "givenName": "Sam",
                "familyName": "Student",
                "identifier": "1001",
                "grades": ["09"],
                "orgs": [school],
                "agents": [{"sourcedId": "g1"}],
            },
            {
                "sourcedId": "s2",
                "status": "active",
                "role": "student",
                "givenName": "Kim",
                "familyName": "Pupil",
                "identifier": "1002",
                "grades": ["10"],
                "orgs": [school],
            },
            {
                "sourcedId": "g1",
                "status": "active",
                "role": "parent",
                "givenName": "Pat",
                "familyName": "Student",
                "email": "pat@family.example.org",
                "phone": "+1 555 0100",
                "orgs": [],
                "metadata": {"preferredLanguage": "es"},
            },
        ],
        "classes": [
            {"sourcedId": "c1", "status": "active", "title": "Robotics", "school": {"sourcedId": "sch1"}},
        ],
        "enrollments": [
            {
                "sourcedId": "e1",
                "status": "active",
                "role": "student",
                "user": {"sourcedId": "s1"},
                "class": {"sourcedId": "c1"},
                "school": {"sourcedId": "sch1"},
            },
        ],
    }


def serve(collections: dict | None = None) -> Iterator[OneRosterServer]:
    """For a fixture: a started server, stopped afterwards."""
    server = OneRosterServer(collections=collections if collections is not None else roster_records())
    server.start()
    try:
        yield server
    finally:
        server.stop()
