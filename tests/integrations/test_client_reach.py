"""Every public method of the three vendor clients is reached from a view or a task.

What a vendor's API can do, a manager should be able to do here: a client method that
no product code calls is a capability nobody can use. The product modules' source is
walked (ast), never imported, so a call counts only where it is written:

- `something.method(...)`, in a module outside `klentyadmin/integrations/` (views,
  services, tasks; the clients' own modules do not count);
- a method name written as a dict value or as getattr's second argument in such a
  module, for dispatch by `getattr` (the campaign page's activity tabs);
- a method that a reached public method of the same client calls through `self.`
  (`domain_search` polls `domain_search_start` and `domain_search_result`).

A use counts for a client only in a module that names that client's class or
package (two clients share `add_prospect_to_list` and `add_webhook`), except a call
in a module that names none of them (a helper handed a client).

Nothing is left out silently: `NOT_CALLED` is the whole allow-list, each with why.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["klentyadmin", "prospects", "cadences", "reporting", "enrichment", "contacts"]
CLIENTS = {
    "KlentyClient": ("klentyadmin/integrations/klenty/client.py", "klenty"),
    "SnovClient": ("klentyadmin/integrations/snov/client.py", "snov"),
    "CrmClient": ("klentyadmin/integrations/crm/client.py", "crm"),
}
# Public methods no view or task needs to call, and why. Internal helpers only.
NOT_CALLED = {
    ("KlentyClient", "iter_calls"): (
        "a convenience over get_calls; the report pull (reporting/pulls.py) calls "
        "get_calls page by page because each page is an item it resumes from"
    ),
}


def _all_methods(cls_name: str) -> dict[str, ast.FunctionDef]:
    path, _ = CLIENTS[cls_name]
    tree = ast.parse((ROOT / path).read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls_name:
            return {m.name: m for m in node.body if isinstance(m, ast.FunctionDef)}
    raise AssertionError(f"{cls_name} not found in {path}")


def _methods(cls_name: str) -> dict[str, ast.FunctionDef]:
    """The public ones."""
    return {n: m for n, m in _all_methods(cls_name).items() if not n.startswith("_")}


def _self_calls(method: ast.FunctionDef) -> set[str]:
    return {
        node.func.attr
        for node in ast.walk(method)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    }


def _product_modules() -> list[Path]:
    found = []
    for app in PRODUCT:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or parts[:2] == ("klentyadmin", "integrations"):
                continue
            found.append(path)
    return found


def _uses_in_product() -> dict[str, set[str]]:
    """Method name -> the client class names it may stand for at one of its uses."""
    uses: dict[str, set[str]] = defaultdict(set)
    for path in _product_modules():
        source = path.read_text()
        names = {
            cls
            for cls, (_, package) in CLIENTS.items()
            if cls in source or f"integrations.{package}" in source
        }
        tree = ast.parse(source)
        imported = _imported_names(tree) - set(CLIENTS)
        for node in ast.walk(tree):
            for attribute, called in _called_or_passed(node):
                receiver = attribute.value
                if isinstance(receiver, ast.Name) and receiver.id in imported:
                    continue  # a module's function (snov_lists.create_list), not a client
                # A passed attribute may be data (`dict(remote.custom_fields)`): it counts
                # only in a module that names the client.
                uses[attribute.attr] |= names if not called else names or set(CLIENTS)
            for text in _dispatch_strings(node):
                uses[text] |= names or set(CLIENTS)
    return uses


def _called_or_passed(node: ast.AST) -> list[tuple[ast.Attribute, bool]]:
    """`x.method(...)` (True), and `x.method` handed to a call to be called there
    (False: `context.ask(what, client.get_calls, start, end, page)`)."""
    if not isinstance(node, ast.Call):
        return []
    found = [(node.func, True)] if isinstance(node.func, ast.Attribute) else []
    args = [*node.args, *(k.value for k in node.keywords)]
    return found + [(a, False) for a in args if isinstance(a, ast.Attribute)]


def _imported_names(tree: ast.Module) -> set[str]:
    return {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }


def _dispatch_strings(node: ast.AST) -> list[str]:
    """Method names written as strings for `getattr`: a dict's values (a table of
    tabs to methods) and getattr's second argument."""
    if isinstance(node, ast.Dict):
        values = node.values
    elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr":
        values = node.args[1:2]
    else:
        return []
    return [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def unreached() -> dict[str, list[str]]:
    """Client class -> its public methods no view or task reaches."""
    uses = _uses_in_product()
    result = {}
    for cls in CLIENTS:
        every = _all_methods(cls)
        methods = {n: m for n, m in every.items() if not n.startswith("_")}
        reached = {m for m in methods if cls in uses.get(m, ()) or (cls, m) in NOT_CALLED}
        frontier = list(reached)
        while frontier:  # through private helpers too (_call -> token)
            for callee in _self_calls(every[frontier.pop()]):
                if callee in every and callee not in reached:
                    reached.add(callee)
                    frontier.append(callee)
        result[cls] = sorted(set(methods) - reached)
    return result


@pytest.mark.parametrize("cls", sorted(CLIENTS))
def test_every_public_client_method_is_called_by_a_view_or_a_task(cls):
    assert unreached()[cls] == [], (
        f"{cls} methods that no view or task calls: {unreached()[cls]}. Give each a "
        "page or task, or (an internal helper only) an entry with a reason in NOT_CALLED."
    )


def test_the_allow_list_names_only_methods_that_exist_and_are_really_not_called():
    uses = _uses_in_product()
    for cls, method in NOT_CALLED:
        assert method in _methods(cls), f"{cls}.{method} is gone: drop it from NOT_CALLED"
        assert cls not in uses.get(method, set()), f"{cls}.{method} is called now"


def test_the_walk_sees_a_method_nobody_calls(tmp_path, monkeypatch):
    # The check itself can fail: a client grown a method no product module calls.
    real = _all_methods

    def with_one_more(cls_name):
        methods = dict(real(cls_name))
        if cls_name == "CrmClient":
            extra = ast.parse("def no_page_calls_me(self):\n    return self.get_current_user()")
            methods["no_page_calls_me"] = extra.body[0]
        return methods

    monkeypatch.setitem(unreached.__globals__, "_all_methods", with_one_more)
    assert unreached()["CrmClient"] == ["no_page_calls_me"]
