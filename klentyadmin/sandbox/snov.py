"""The Snov.io sandbox. Routes are filled in by the Snov.io integration work."""

from __future__ import annotations

from typing import Any

from klentyadmin.sandbox.server import SandboxApp, Service


class SnovService(Service):
    name = "snov"
    prefix = "/snov"

    def __init__(self, app: SandboxApp, *, seed: int, **credentials: Any):
        super().__init__()
        self.app = app
        self.seed = seed
        self.credentials = credentials
