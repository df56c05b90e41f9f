"""prospects.imports is a package with one module per step; the package still
offers every public name of its modules, so `from prospects.imports import X` works."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import prospects.imports


def defined_names(path: str) -> set[str]:
    """The public names a module defines itself (not those it imports)."""
    names = set()
    for node in ast.parse(Path(path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def test_every_public_name_of_the_step_modules_is_offered_by_the_package():
    modules = list(pkgutil.iter_modules(prospects.imports.__path__))
    assert len(modules) >= 6
    for info in modules:
        module = importlib.import_module(f"prospects.imports.{info.name}")
        own = defined_names(module.__file__)
        assert own, info.name
        assert own <= set(prospects.imports.__all__), (
            f"{info.name}: {own - set(prospects.imports.__all__)}"
        )
        for name in own:
            assert getattr(prospects.imports, name) is getattr(module, name)
