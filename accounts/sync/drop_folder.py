"""A district's drop folder: where its SIS (through the district's SFTP server) leaves a OneRoster zip.

The rule for a file still being written: a zip is taken only once `<name>.zip.done` stands beside it
(write the zip, then the marker), or once it has not changed for ROSTER_DROP_SETTLE_SECONDS. Names
that SFTP and SIS uploaders use while writing (`.part`, `.filepart`, `.tmp`, hidden files) are never
zips, so a client that uploads under a temporary name and renames is safe whatever the settle time.
The newest complete zip is imported; older complete ones are archived unread (superseded). Every
zip taken moves to `archive/` with its report beside it, whatever the result.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

FOLDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
ARCHIVE = "archive"
DONE = ".done"


class DropFolderUnusable(Exception):
    """The folder is missing or cannot be read; the message says which, in plain words."""


def folder_for(name: str) -> Path:
    """The drop folder `name` under ROSTER_DROP_ROOT (names are checked: never a path elsewhere)."""
    if not FOLDER_NAME.match(name):
        raise DropFolderUnusable(f"{name!r} is not a drop folder name (lower-case letters, digits, - and _)")
    return Path(settings.ROSTER_DROP_ROOT) / name


@dataclass(frozen=True)
class Taken:
    path: Path  # the zip to import, still in the drop folder
    superseded: list[Path]  # older complete zips, archived unread


def _complete(path: Path, now: float) -> bool:
    if path.with_name(path.name + DONE).exists():
        return True
    return bool(now - path.stat().st_mtime >= settings.ROSTER_DROP_SETTLE_SECONDS)


def take_newest(folder: Path) -> Taken | None:
    """The newest complete zip in `folder`, or None when there is none yet."""
    if not folder.is_dir():
        raise DropFolderUnusable(f"the drop folder {folder.name!r} does not exist on the server")
    now = time.time()
    try:
        zips = [
            p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".zip" and not p.name.startswith(".")
        ]
        complete = sorted((p for p in zips if _complete(p, now)), key=lambda p: (p.stat().st_mtime, p.name))
    except OSError as error:
        raise DropFolderUnusable(f"the drop folder {folder.name!r} cannot be read ({error.strerror})") from None
    if not complete:
        return None
    return Taken(path=complete[-1], superseded=complete[:-1])


def archive(path: Path, report: dict[str, Any] | None) -> Path:
    """Move a taken zip (and its .done marker) to archive/, its report written beside it as JSON."""
    target_dir = path.parent / ARCHIVE
    target_dir.mkdir(exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = target_dir / f"{stamp}-{path.name}"
    shutil.move(str(path), target)
    path.with_name(path.name + DONE).unlink(missing_ok=True)
    if report is not None:
        target.with_name(target.name + ".report.json").write_text(json.dumps(report, indent=2))
    return target
