"""The stored credentials of each external service (the Connection rows).

Which account each vendor's client talks to is that vendor's business, in
`klentyadmin/integrations/<vendor>/target.py`; this module only finds the row an
Admin saved on a settings page.
"""

from __future__ import annotations

import importlib
from typing import Any

from klentyadmin.core.models import Connection, Service


def stored_connection(service: str = Service.KLENTY) -> Connection | None:
    return Connection.objects.filter(service=service).first()


# Klenty's target moved to klentyadmin/integrations/klenty/target.py. reporting/pulls.py,
# being rewritten on another branch, still imports it from here; delete this once it
# imports from the real home. Lazy, because the integrations import this module.
def __getattr__(name: str) -> Any:
    if name == "klenty_target":
        return importlib.import_module("klentyadmin.integrations.klenty.target").klenty_target
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
