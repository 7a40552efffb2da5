"""The Spanish catalogs agree: a sentence translated in two catalogs (the project's and an app's) is
translated the same way, or the page would depend on which catalog Django reads first."""

from __future__ import annotations

from pathlib import Path

import polib

from accounts.management.commands.compile_translations import catalogs


def test_it_translates_a_sentence_the_same_way_in_every_catalog():
    seen: dict[tuple[str, str], tuple[str, Path]] = {}
    disagreements = []
    for path in catalogs():
        language = path.parent.parent.name
        for entry in polib.pofile(str(path)).translated_entries():
            key = (language, entry.msgid)
            if key in seen and seen[key][0] != entry.msgstr:
                disagreements.append((entry.msgid, seen[key], (entry.msgstr, path)))
            seen.setdefault(key, (entry.msgstr, path))
    assert disagreements == []


def test_it_compiles_every_catalog_without_gnu_gettext(tmp_path, settings):
    assert catalogs(), "no catalog found"
    for path in catalogs():
        assert polib.pofile(str(path)).percent_translated() > 0, path
