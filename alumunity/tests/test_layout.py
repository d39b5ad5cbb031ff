"""The shape of the code: one-way layering between the packages, and modules and
functions small enough to read whole."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# The project's wiring names every app; it is the one place allowed to.
COMPOSITION_ROOT = {"settings.py", "test_settings.py", "urls.py", "asgi.py", "wsgi.py"}


def _source_files(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts:
            continue
        yield path


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of every module `path` imports, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(ROOT).parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _imports_from(package: str, prefix: str, *, skip=frozenset()) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _source_files(package)
        if path.name not in skip
        for name in sorted(_imported_modules(path))
        if name == prefix or name.startswith(prefix + ".")
    ]


def test_the_pages_import_nothing_from_the_api():
    assert _imports_from("messaging/web", "messaging.api") == []


def test_the_accounts_and_the_project_modules_import_nothing_from_messaging():
    """messaging depends on alumunity (members, settings, the cache), never the reverse,
    so the two never import each other in a circle."""
    assert _imports_from("alumunity", "messaging", skip=COMPOSITION_ROOT) == []


@pytest.mark.parametrize("package", ["alumunity", "messaging", "bench"])
def test_no_module_is_over_500_lines(package):
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for path in _source_files(package)
        if (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []


@pytest.mark.parametrize("package", ["alumunity", "messaging", "bench"])
def test_no_function_is_over_60_lines(package):
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {size} lines"
        for path in _source_files(package)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (size := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert long == []
