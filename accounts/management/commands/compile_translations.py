"""Compile every translation catalog (*.po) of the project into the *.mo files Django reads.

Django's own compilemessages needs GNU gettext's msgfmt on the machine; this needs nothing but the
virtualenv, so `make run` and `make test` work on a fresh machine. Fuzzy entries are left out, as
msgfmt does, so a translation nobody checked never reaches a family."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogs() -> list[Path]:
    roots = [Path(p) for p in settings.LOCALE_PATHS]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    base = Path(settings.BASE_DIR).resolve()
    # Only the project's own: installed packages ship their catalogs compiled.
    return sorted(
        po
        for root in roots
        if root.is_dir() and root.resolve().is_relative_to(base) and "site-packages" not in root.resolve().parts
        for po in root.glob("*/LC_MESSAGES/*.po")
    )


class Command(BaseCommand):
    help = "Compile the project's translation catalogs (*.po) to *.mo."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for po_path in catalogs():
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            try:
                catalog = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            for entry in catalog.fuzzy_entries():
                catalog.remove(entry)
            catalog.save_as_mofile(str(mo_path))
            compiled += 1
        self.stdout.write(f"{compiled} translation catalog(s) compiled.")
