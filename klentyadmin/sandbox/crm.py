"""The contacts CRM (Skarbe) sandbox. Routes are filled in by the contacts CRM (Skarbe) integration work."""

from __future__ import annotations

from typing import Any

from klentyadmin.sandbox.server import SandboxApp, Service


class CrmService(Service):
    name = "crm"
    prefix = "/crm"

    def __init__(self, app: SandboxApp, *, seed: int, **credentials: Any):
        super().__init__()
        self.app = app
        self.seed = seed
        self.credentials = credentials
