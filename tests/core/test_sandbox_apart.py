"""The sandbox is a separate program beside the product: no product module imports it,
the product wheel leaves it out, and `manage.py sandbox` starts it as its own process."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

from django.conf import settings

from tests.fixtures.sandbox import PROJECT_ROOT, _first_line

PRODUCT_PACKAGES = ("klentyadmin", "prospects", "cadences", "reporting", "enrichment", "contacts")


def is_sandbox(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "sandbox" or parts[:2] == ["klentyadmin", "sandbox"]


def imported_modules(node: ast.AST, package: str) -> list[str]:
    """The modules an import statement may load; relative ones resolved against `package`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    # `from klentyadmin import sandbox` names the module in the alias.
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]


def sandbox_imports(root: Path) -> list[str]:
    found = []
    for top in PRODUCT_PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            relative = path.relative_to(root)
            if "tests" in relative.parts:
                continue
            parts = relative.with_suffix("").parts
            package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                modules = [m for m in imported_modules(node, package) if is_sandbox(m)]
                if modules:
                    found.append(f"{relative}:{node.lineno} imports {modules[0]}")
    return found


def wheel_packages(root: Path) -> list[str]:
    """What `[tool.setuptools.packages.find]` puts in the wheel: every folder (namespace
    packages are on by default there) whose dotted name matches an `include` pattern
    and no `exclude` pattern, matched with fnmatchcase as setuptools does."""
    find = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    find = find["packages"]["find"]
    include, exclude = find.get("include", ["*"]), find.get("exclude", [])
    packages = []
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = [name for name in subfolders if name.isidentifier()]
        name = ".".join(Path(folder).relative_to(root).parts)
        if (
            name
            and any(fnmatchcase(name, p) for p in include)
            and not any(fnmatchcase(name, p) for p in exclude)
        ):
            packages.append(name)
    return packages


def test_no_product_module_imports_the_sandbox():
    assert sandbox_imports(PROJECT_ROOT) == []


def test_the_import_check_catches_every_way_of_importing_the_sandbox(tmp_path):
    module = tmp_path / "prospects" / "views" / "edit.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import sandbox.team\n"
        "from klentyadmin.sandbox.klenty_data import OUTCOMES\n"
        "from klentyadmin import sandbox\n"
        "from .. import sandbox_activity\n"  # cadences' HTTP client is not the sandbox
    )
    nested = tmp_path / "klentyadmin" / "core" / "connections.py"
    nested.parent.mkdir(parents=True)
    nested.write_text("from ..sandbox.team import TEAM_EMAILS\n")

    assert sandbox_imports(tmp_path) == [
        "klentyadmin/core/connections.py:1 imports klentyadmin.sandbox.team",
        "prospects/views/edit.py:1 imports sandbox.team",
        "prospects/views/edit.py:2 imports klentyadmin.sandbox.klenty_data",
        "prospects/views/edit.py:3 imports klentyadmin.sandbox",
    ]


def test_the_product_wheel_has_every_app_and_leaves_the_sandbox_out():
    packages = wheel_packages(PROJECT_ROOT)

    assert set(PRODUCT_PACKAGES) <= set(packages)
    assert "klentyadmin.core.management.commands" in packages
    assert [p for p in packages if is_sandbox(p) or p.startswith(("tests", "bench"))] == []


def test_the_default_sandbox_team_and_demo_users_match_the_sandbox_seed():
    from sandbox.team import DEMO_REP_EMAIL, MANAGER_EMAIL, TEAM_EMAILS

    assert settings.SANDBOX_TEAM_EMAILS == TEAM_EMAILS
    assert settings.DEMO_MANAGER_KLENTY_EMAIL == MANAGER_EMAIL
    assert settings.DEMO_REP_KLENTY_EMAIL == DEMO_REP_EMAIL


def start_manage_sandbox(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), "sandbox", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def test_manage_py_sandbox_starts_the_simulator_from_any_folder(tmp_path):
    process = start_manage_sandbox("--port", "0", "--prospects", "20", cwd=tmp_path)
    try:
        line = _first_line(process, 90)  # Django's start-up and the seed, on a loaded machine
        assert line and line.startswith("Sandbox listening on http://127.0.0.1:"), line
        process.terminate()
        assert process.wait(30) == 0  # the signal reached the sandbox itself
    finally:
        process.kill()
        process.wait(5)


def test_manage_py_sandbox_help_lists_the_sandbox_options():
    result = subprocess.run(
        [sys.executable, "manage.py", "sandbox", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    for option in ("--port", "--prospects", "--seed", "--rate-limit", "--klenty-key"):
        assert option in result.stdout
