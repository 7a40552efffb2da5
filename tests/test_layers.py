"""The apps import each other only downwards (docs/architecture.md): a rule has one home, and an app
low in the stack never learns about one above it. Lazy imports inside functions count too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = {"core", "accounts", "tools", "registry", "disclosures", "consent", "authorizations"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "accounts": {"core"},
    "tools": {"core", "accounts"},
    "registry": {"core", "accounts", "tools"},
    "disclosures": {"core", "accounts"},
    "consent": {"core", "accounts", "registry"},
    "authorizations": {"core", "accounts", "tools", "consent"},
    "compliance": DOMAIN,
    "reminders": DOMAIN | {"compliance"},
    "dashboards": DOMAIN | {"compliance"},
    "audit": DOMAIN | {"compliance"},
    "onboarding": DOMAIN | {"compliance"},
    # The evidence pack reads the whole stack, reminders' log and the audit log included; nothing imports it.
    "evidence": DOMAIN | {"compliance", "reminders", "audit"},
}
APPS = set(ALLOWED) | {"config"}


def imported_apps(source: str) -> Iterator[tuple[str, int]]:
    """(app, line) for every import of a project app in `source`, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                yield top, node.lineno


def forbidden_imports(app: str, files: dict[str, str]) -> list[str]:
    """Each import in `files` (path -> source) of `app` that the table does not allow."""
    return [
        f"{path}:{line} imports {target}"
        for path, source in files.items()
        for target, line in imported_apps(source)
        if target != app and target not in ALLOWED[app]
    ]


def sources_of(app: str) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def test_every_app_imports_only_the_layers_below_it():
    found = [problem for app in ALLOWED if (ROOT / app).is_dir() for problem in forbidden_imports(app, sources_of(app))]

    assert not found, "imports against docs/architecture.md:\n" + "\n".join(found)


def test_every_app_of_the_project_has_a_place_in_the_layers():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"core"}

    assert apps <= set(ALLOWED), f"add these apps to ALLOWED and docs/architecture.md: {sorted(apps - set(ALLOWED))}"


def test_it_catches_a_forbidden_import_even_inside_a_function():
    source = "def helper():\n    from reminders.kinds import KINDS\n    return KINDS\n"

    assert forbidden_imports("consent", {"consent/helper.py": source}) == ["consent/helper.py:2 imports reminders"]
    assert forbidden_imports("dashboards", {"dashboards/x.py": "import consent.rules\n"}) == []


def test_core_imports_only_django_celery_and_the_standard_library():
    """core/ is the layer every app may import: it can never pull an app in (or make a cycle)."""
    import sys

    allowed = set(sys.stdlib_module_names) | {"django", "celery", "kombu", "core", "__future__"}
    outside = {}
    for path, source in sources_of("core").items():
        tree = ast.parse(source)
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module}
        if found := {name.split(".")[0] for name in names} - allowed:
            outside[path] = found

    assert not outside, outside
