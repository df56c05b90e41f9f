"""The code figures the closing note of issue 11 quotes, counted from the source alone.

- functions over 60 lines in app code (from `def` to its last line, nested ones too);
- functions ruff's C901 finds more complex than 10;
- product-to-sandbox imports: app modules that import `klentyadmin.sandbox` or the
  top-level `sandbox` package.

App code is the six Django apps, without migrations, tests or the sandbox itself. Nothing
is run or imported but ruff, so this is quick and touches no database.

    .venv/bin/python bench/code_figures.py [--root PATH] [--quiet]
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_DIRS = ("klentyadmin", "prospects", "cadences", "reporting", "enrichment", "contacts")
SANDBOX_PACKAGES = ("klentyadmin.sandbox", "sandbox")
LONG_FUNCTION = 60
MAX_COMPLEXITY = 10


def app_modules(root: Path) -> Iterator[Path]:
    for folder in APP_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or "tests" in parts or parts[:2] == ("klentyadmin", "sandbox"):
                continue
            yield path


def long_functions(root: Path) -> list[str]:
    found = []
    for path in app_modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONG_FUNCTION:
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    found.append(f"{where} {node.name} ({length} lines)")
    return found


def sandbox_modules(root: Path) -> list[Path]:
    """The simulator, wherever it lives: the issue's first count (6) included it."""
    return [p for d in ("klentyadmin/sandbox", "sandbox") for p in sorted((root / d).rglob("*.py"))]


def complex_functions(root: Path, modules: list[Path]) -> list[str]:
    if not modules:
        return []
    ruff = Path(sys.executable).with_name("ruff")
    command = [
        str(ruff if ruff.exists() else "ruff"),
        "check",
        "--select",
        "C901",
        "--config",
        f"lint.mccabe.max-complexity={MAX_COMPLEXITY}",
        "--output-format",
        "json",
        "--exit-zero",
        *(str(p) for p in modules),
    ]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return [
        f"{Path(d['filename']).relative_to(root)}:{d['location']['row']} {d['message']}"
        for d in json.loads(result.stdout)
    ]


def imported_modules(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            # `from klentyadmin import sandbox` names the package as an attribute.
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def sandbox_imports(root: Path) -> list[str]:
    found = []
    for path in app_modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            name
            for name in imported_modules(tree)
            if any(name == p or name.startswith(p + ".") for p in SANDBOX_PACKAGES)
        }
        # `from klentyadmin.sandbox.x import y` yields both the module and module.y.
        modules = {n for n in names if not any(n.startswith(m + ".") for m in names)}
        found.extend(f"{path.relative_to(root)} imports {name}" for name in sorted(modules))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to count")
    parser.add_argument("--quiet", action="store_true", help="the figures without the lists")
    args = parser.parse_args()
    root = args.root.resolve()
    figures = [
        (f"Functions over {LONG_FUNCTION} lines", long_functions(root)),
        (
            f"Functions with C901 complexity over {MAX_COMPLEXITY}",
            complex_functions(root, list(app_modules(root))),
        ),
        (
            f"Functions with C901 complexity over {MAX_COMPLEXITY} in the sandbox (not app code)",
            complex_functions(root, sandbox_modules(root)),
        ),
        ("Product-to-sandbox imports", sandbox_imports(root)),
    ]
    for title, offenders in figures:
        print(f"{title}: {len(offenders)}")
        if not args.quiet:
            for offender in offenders:
                print(f"    {offender}")


if __name__ == "__main__":
    main()
