"""The apps' import graph, read from the source (ast), not from what happens to be loaded.

- ``demo`` (the ``seed_demo`` data) sits at the top: it imports every other app, and no base app
  imports it — not with an import statement, nor through a dotted-path string ("demo.steps…")
  handed to ``import_string``/``import_module``.
- ``core`` sits at the bottom of the apps' own code: it imports none of the apps' ``views`` or
  ``api`` modules.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE_APPS = ["core", "accounts", "children", "volunteers", "pairing", "activities", "reports", "exports", "submissions",
             "casework"]
APPS = [*BASE_APPS, "demo"]
DOTTED_DEMO = re.compile(r"demo(\.\w+)+")


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(source: str, *, module: str = "") -> set[str]:
    """Every module an ``import`` or ``from … import`` in ``source`` names, as dotted paths.

    ``from pkg import name`` yields both ``pkg`` and ``pkg.name`` (``name`` may be a submodule);
    relative imports are resolved against ``module`` (the importing module's dotted name).
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def dotted_demo_strings(source: str) -> set[str]:
    """String constants that are a dotted path into ``demo`` (what ``import_string`` would take)."""
    return {node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_DEMO.fullmatch(node.value)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def names_package(name: str, package: str) -> bool:
    return name == package or name.startswith(f"{package}.")


@pytest.mark.parametrize("package", BASE_APPS)
def test_base_apps_do_not_import_demo(package):
    files = python_files(package)
    assert files, f"no .py files found under {package}/"
    offenders = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        imports = imported_modules(source, module=module_name(path))
        offenders += [f"{path.relative_to(ROOT)}: imports {name}" for name in sorted(imports)
                      if names_package(name, "demo")]
        offenders += [f"{path.relative_to(ROOT)}: names {value!r}" for value in sorted(dotted_demo_strings(source))]
    assert not offenders, "demo sits above every app; nothing below may reach it:\n" + "\n".join(offenders)


def test_core_imports_no_views_or_api():
    files = python_files("core")
    assert files
    forbidden = [f"{app}.{layer}" for app in APPS for layer in ("views", "api")]
    offenders = [f"{path.relative_to(ROOT)}: imports {name}"
                 for path in files
                 for name in sorted(imported_modules(path.read_text(encoding="utf-8"), module=module_name(path)))
                 if any(names_package(name, layer) for layer in forbidden)]
    assert not offenders, "core is below the apps' views and API:\n" + "\n".join(offenders)


def test_demo_imports_the_apps_directly():
    """The other direction holds too: ``demo`` imports the apps it seeds, with no dotted-path strings."""
    imports: set[str] = set()
    for path in python_files("demo"):
        source = path.read_text(encoding="utf-8")
        imports |= imported_modules(source, module=module_name(path))
        assert not dotted_demo_strings(source), path
    for app in ("accounts", "children", "volunteers", "pairing", "activities"):
        assert any(names_package(name, app) for name in imports), app
    assert "django.utils.module_loading" not in imports


@pytest.mark.parametrize("source, module, expected", [
    ("import demo", "accounts.x", {"demo"}),
    ("import demo.steps as s", "accounts.x", {"demo.steps"}),
    ("from demo import steps", "accounts.x", {"demo", "demo.steps"}),
    ("from demo.context import SeedContext", "accounts.x", {"demo.context", "demo.context.SeedContext"}),
    ("def f():\n    from demo.users import seed_users", "accounts.x", {"demo.users", "demo.users.seed_users"}),
    ("from . import views", "children.api.views", {"children.api", "children.api.views"}),
    ("from ..views import ledger", "children.api.views", {"children.views", "children.views.ledger"}),
])
def test_imported_modules_sees_every_form(source, module, expected):
    assert imported_modules(source, module=module) == expected


def test_dotted_demo_strings():
    source = 'a = "demo.steps.run_steps"\nb = "demo"\nc = "a demo. here"\nd = "pairing.demo_x"'
    assert dotted_demo_strings(source) == {"demo.steps.run_steps"}
