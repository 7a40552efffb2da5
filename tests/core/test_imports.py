"""core/ is the layer every app may import: it imports Django and the standard library only, so it
can never pull an app in (or make a cycle)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def imported_packages(path: Path) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def test_it_imports_only_django_the_standard_library_and_itself():
    allowed = set(sys.stdlib_module_names) | {"django", "core", "__future__"}

    outside = {path.name: imported_packages(path) - allowed for path in sorted(CORE.glob("*.py"))}

    assert outside and not any(outside.values()), outside
