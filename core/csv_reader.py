"""Reading an uploaded CSV file row by row, for every import (the OneRoster roster, the consent CSV).

A file of any bytes at all comes out as rows or as problems that name the file, its line and its
field, never as an exception: the importer decides what a problem means (both refuse the whole
file). Rows are read one at a time, a line at most MAX_LINE_BYTES long, so a file of any size is
read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import lzma
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

MAX_PROBLEMS = 200  # listed in full; the rest are counted
MAX_MESSAGE = 300  # characters of one problem's message
MAX_LINE_BYTES = 1 << 20  # the longest line of any file; lines are read whole

# What reading a damaged zip member raises (bad CRC, truncated or corrupt compressed data).
UNREADABLE = (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class ProblemReport(Protocol):
    """Where the reader reports what is wrong with a file: each import's own report."""

    def add_problem(self, file: str, line: int | None, field_name: str | None, message: str, /) -> None: ...


class CsvSource(Protocol):
    """Where the reader finds a file by its name: a roster bundle, or one uploaded file."""

    def open_binary(self, name: str) -> IO[bytes]: ...


@dataclass(frozen=True)
class FileSpec:
    """A CSV file's name and the columns it must and may have."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


class _CountingReader(io.RawIOBase):
    """Counts bytes read so progress can be shown as a share of the file's size."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._on_read(n)
        return n


class CsvRows:
    """Iterates a CSV file's rows as dicts of the known columns, with their line numbers.

    Header names are matched without regard to case or surrounding spaces; unknown extension
    columns are ignored. Problems (missing columns, bad encoding, ragged rows) go to the report.
    `on_bytes` is told how many bytes each read took, for progress.
    """

    def __init__(
        self,
        source: CsvSource,
        spec: FileSpec,
        report: ProblemReport,
        on_bytes: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.source = source
        self.spec = spec
        self.report = report
        self.on_bytes = on_bytes

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        name = self.spec.name
        try:
            raw = self.source.open_binary(name)
        except (*UNREADABLE, RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
            self.report.add_problem(name, None, None, f"the file cannot be read from the bundle ({exc})")
            return
        binary = io.BufferedReader(_CountingReader(raw, self.on_bytes), 1 << 16)
        decoding = _Utf8Lines(binary)
        reader = csv.reader(decoding)
        try:
            yield from self._rows(reader, decoding)
        except csv.Error as exc:
            self.report.add_problem(name, reader.line_num, None, f"this line cannot be read as CSV ({exc})")
        except UNREADABLE as exc:  # a damaged zip shows only when its data is read
            self.report.add_problem(
                name, reader.line_num or None, None, f"the file is damaged from this line on ({exc}); export it again"
            )
        finally:
            binary.close()
        if decoding.bad_line is not None:
            self.report.add_problem(
                name, decoding.bad_line, None, "the file is not UTF-8 text from this line on; save it as CSV UTF-8"
            )
        if decoding.long_line is not None:
            self.report.add_problem(
                name,
                decoding.long_line,
                None,
                f"line {decoding.long_line} is longer than {MAX_LINE_BYTES:,} bytes; "
                "the file was read no further (export it again, one record per line)",
            )

    def _rows(self, reader: Any, decoding: _Utf8Lines) -> Iterator[tuple[int, dict[str, str]]]:
        name = self.spec.name
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            if not decoding.stopped:
                self.report.add_problem(name, 1, None, "the file is empty; it needs at least a header row")
            return
        # Spreadsheets and some exports end the header with empty columns ("a,b,c,,"): ignored, and a
        # row may then stop at the last named column or run on with empty cells to the header's width.
        full_width = len(header)
        while header and not header[-1].strip():
            header = header[:-1]
        wanted = {c.lower(): c for c in self.spec.columns}
        positions: dict[str, int] = {}
        for index, heading in enumerate(header):
            canonical = wanted.get(heading.strip().lower())
            if canonical is None:
                continue  # extension columns are ignored
            if canonical in positions:
                self.report.add_problem(name, 1, canonical, "this column appears twice in the header")
            positions[canonical] = index
        missing = [c for c in self.spec.required if c not in positions]
        for column in missing:
            self.report.add_problem(name, 1, column, "required column is missing from the header")
        if missing:
            return
        width = len(header)
        columns = list(positions.items())
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if width < len(row) <= full_width and not any(cell.strip() for cell in row[width:]):
                row = row[:width]
            if len(row) != width:
                self.report.add_problem(
                    name, reader.line_num, None, f"expected {width} columns as in the header, found {len(row)}"
                )
                continue
            values = {column: row[i].strip() for column, i in columns}
            # PostgreSQL text cannot hold a NUL byte: refused here, at its line and field.
            nul = [column for column, value in values.items() if "\x00" in value]
            for column in nul:
                self.report.add_problem(name, reader.line_num, column, "contains a NUL character; export it again")
            if not nul:
                yield reader.line_num, values


class _Utf8Lines:
    """Decodes a file line by line, so a byte that is not UTF-8 is reported at its line."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.binary = binary
        self.bad_line: int | None = None
        self.long_line: int | None = None

    @property
    def stopped(self) -> bool:
        """Reading stopped before the end of the file (a problem says where)."""
        return self.bad_line is not None or self.long_line is not None

    def __iter__(self) -> Iterator[str]:
        number = 0
        # readline() with a limit: a file of one enormous line is not read into memory whole.
        while line := self.binary.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                self.long_line = number
                return
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                self.bad_line = number
                return
