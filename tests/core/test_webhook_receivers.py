"""The Klenty and Snov.io webhook receivers read bodies through one shared module,
klentyadmin.lib.webhook_body, and neither imports the other's app."""

from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import resolve

from enrichment.models import SnovEvent, SnovWebhook

KLENTY_HOOK = "/hooks/klenty/some-token/"
SNOV_HOOK = "/enrichment/hooks/some-token/"
SHARED = "klentyadmin.lib.webhook_body"


def imports_of(module: str) -> Iterator[str]:
    spec = importlib.util.find_spec(module)
    assert spec and spec.origin, module
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            # `from cadences import receiver` imports the module cadences.receiver.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # an attribute of a module, not a submodule
        return False


def receiver_imports(path: str) -> dict[str, set[str]]:
    """What the module behind `path`, and every module of its own app it imports in
    turn, imports."""
    start = resolve(path).func.__module__
    app = start.partition(".")[0]
    found: dict[str, set[str]] = {}
    pending = [start]
    while pending:
        module = pending.pop()
        if module in found:
            continue
        found[module] = set(imports_of(module))
        for name in found[module]:
            is_own = name == app or name.startswith(app + ".")
            if is_own and is_module(name):
                pending.append(name)
    return found


def reaching(imports: dict[str, set[str]], package: str) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in imports.items()
        for name in names
        if name == package or name.startswith(package + ".")
    )


def test_neither_webhook_receiver_imports_the_other():
    klenty = receiver_imports(KLENTY_HOOK)
    snov = receiver_imports(SNOV_HOOK)

    assert reaching(klenty, "enrichment") == []
    assert reaching(snov, "cadences") == []


def test_both_receivers_read_the_body_through_the_shared_module():
    for path in (KLENTY_HOOK, SNOV_HOOK):
        imports = receiver_imports(path)
        assert reaching(imports, SHARED), f"{path} does not use {SHARED}"


@pytest.mark.django_db
def test_a_snov_delivery_over_256_kb_is_refused_unread_and_not_stored(client):
    webhook = SnovWebhook.objects.create(event_object="campaign_email", event_action="opened")
    body = json.dumps({"event": "campaign_email.opened", "pad": "p" * 262_144})

    response = client.post(f"/enrichment/hooks/{webhook.token}/", body, "application/json")

    assert response.status_code == 413
    assert "larger than 262144 bytes" in response.content.decode()
    assert not SnovEvent.objects.exists()
