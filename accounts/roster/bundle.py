"""The bundle: a folder or a zip of OneRoster CSV files, and its manifest.

A zip is checked against the limits below before anything in it is read: a zip bomb or a list of
a million files is refused whole, without unpacking a byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from accounts.roster.files import MANIFEST
from accounts.roster.report import RosterReport
from core.csv_reader import CsvRows

FILE_MODES = frozenset({"bulk", "delta", "absent"})
# Limits on what a bundle may hold, checked before anything is read (see also the
# ROSTER_MAX_UNPACKED_BYTES and ROSTER_MAX_COMPRESSION_RATIO settings).
MAX_BUNDLE_MEMBERS = 50  # OneRoster has 13 files; some systems add a folder or two
MAX_CENTRAL_DIRECTORY_BYTES = 1 << 20  # the zip's list of files: ZipFile reads all of it into memory
# A smaller file cannot hurt whatever its ratio; one with an absurd value (a megabyte of "x") is
# then reported at its line rather than refused whole as a bomb.
RATIO_CHECKED_ABOVE_BYTES = 16 << 20


class Bundle:
    """A OneRoster bundle: a folder or a zip file of CSV files. Names are matched without case."""

    def __init__(self, source: str | Path) -> None:
        self.source = Path(source)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, Any] = {}
        if self.source.is_dir():
            for path in self.source.iterdir():
                if path.is_file():
                    self._members[path.name.lower()] = path
        elif zipfile.is_zipfile(self.source):
            _refuse_a_long_list_of_files(self.source)
            self._zip = zipfile.ZipFile(self.source)
            try:
                _refuse_a_zip_bomb(self._zip.infolist())
            except ValueError:
                self._zip.close()
                raise
            for info in self._zip.infolist():
                if not info.is_dir():
                    # Some systems put the files in a folder inside the zip.
                    self._members.setdefault(Path(info.filename).name.lower(), info)
        elif self.source.exists():
            raise ValueError(f"{self.source.name} is neither a folder nor a zip file")
        else:
            raise FileNotFoundError(f"{self.source} does not exist")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        member = self._members[name]
        size: int = member.file_size if self._zip is not None else member.stat().st_size
        return size

    def open_binary(self, name: str) -> IO[bytes]:
        member = self._members[name]
        if self._zip is not None:
            return self._zip.open(member)
        return open(member, "rb")


def _refuse_a_long_list_of_files(path: Path) -> None:
    """ZipFile reads the whole list of files (the central directory) when it opens a zip: a list
    of millions of entries is refused from the record that gives its size, before it is read."""
    with path.open("rb") as raw:
        # The record ZipFile itself reads first; zipfile's private helpers are not in typeshed.
        end = zipfile._EndRecData(raw)  # type: ignore[attr-defined]  # private: not in typeshed
    if end is not None and (
        end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY_BYTES  # type: ignore[attr-defined]  # private, as above
        or end[zipfile._ECD_ENTRIES_TOTAL] > MAX_BUNDLE_MEMBERS  # type: ignore[attr-defined]  # private, as above
    ):
        raise ValueError(f"the zip lists more files than a OneRoster export has (at most {MAX_BUNDLE_MEMBERS})")


def _refuse_a_zip_bomb(members: list[zipfile.ZipInfo]) -> None:
    """What each file would unpack to, as the zip declares it: zipfile never unpacks more than the
    declared size, so refusing on it before reading anything bounds memory, disk and CPU."""
    if len(members) > MAX_BUNDLE_MEMBERS:
        raise ValueError(
            f"the zip holds {len(members)} files; a OneRoster export has at most {MAX_BUNDLE_MEMBERS}. Export it again"
        )
    limit = settings.ROSTER_MAX_UNPACKED_BYTES
    total = sum(info.file_size for info in members)
    if total > limit:
        raise ValueError(
            f"its files would unpack to {total:,} bytes, more than the {limit:,} this system accepts; "
            "nothing was unpacked"
        )
    for info in members:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE_BYTES and ratio > settings.ROSTER_MAX_COMPRESSION_RATIO:
            raise ValueError(
                f"{info.filename} would unpack to {ratio:,.0f} times its size in the zip (more than "
                f"{settings.ROSTER_MAX_COMPRESSION_RATIO}; CSV exports compress 5 to 15 times): this is not an "
                "export, and nothing was unpacked"
            )


def read_manifest(bundle: Bundle, report: RosterReport) -> tuple[str, dict[str, str]]:
    """The OneRoster version the bundle says it is, and how each file is sent (bulk, delta or
    absent, by file name); problems go to the report."""
    if not bundle.has("manifest.csv"):
        report.add_problem("manifest.csv", None, None, "the bundle has no manifest.csv (required by OneRoster)")
        return "", {}
    properties: dict[str, str] = {}
    for line, row in CsvRows(bundle, MANIFEST, report, lambda n: None):
        properties[row["propertyName"].lower()] = row["value"]
        _ = line
    version = properties.get("oneroster.version", "")
    if not version:
        report.add_problem(
            "manifest.csv", None, "oneroster.version", "the manifest does not say which OneRoster version"
        )
    elif version not in ("1.1", "1.2"):
        report.add_problem(
            "manifest.csv", None, "oneroster.version", f"version {version!r} is not supported (1.1 or 1.2)"
        )
    modes = {}
    for key, value in properties.items():
        if key.startswith("file."):
            # Exports write `file.scoreScales,` for a file they do not send: empty means absent.
            mode = value.strip().lower() or "absent"
            if mode not in FILE_MODES:
                report.add_problem("manifest.csv", None, key, f"{value!r} is not bulk, delta or absent")
            modes[key.removeprefix("file.") + ".csv"] = mode
    return version, modes
