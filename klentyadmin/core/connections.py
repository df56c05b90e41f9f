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


# The targets moved to their vendors' folders. Modules that other branches are
# changing at the same time still import them from here; this keeps them working
# until those imports are moved, without importing the integrations at start-up
# (they import this module).
_MOVED = {
    "KlentyTarget": "klentyadmin.integrations.klenty.target",
    "klenty_target": "klentyadmin.integrations.klenty.target",
    "SnovTarget": "klentyadmin.integrations.snov.target",
    "snov_target": "klentyadmin.integrations.snov.target",
    "CrmTarget": "klentyadmin.integrations.crm.target",
    "crm_target": "klentyadmin.integrations.crm.target",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
