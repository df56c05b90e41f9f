"""The contacts CRM (Skarbe), in one folder: `types`, `parse` (the only code that
reads its payloads), `session` (how it spells errors), `target` (which CRM, with
what key) and `client` (one method per documented endpoint).

The names below are re-exported so `from klentyadmin.integrations.crm import
CrmClient` keeps working.
"""

from klentyadmin.integrations.crm.client import CrmClient, rate_limit_key
from klentyadmin.integrations.crm.parse import (
    parse_color,
    parse_contact,
    parse_contacts,
    parse_created_contact,
    parse_current_user,
    parse_lead_status,
    parse_lead_statuses,
    parse_phone_numbers,
    parse_timestamp,
)
from klentyadmin.integrations.crm.session import CrmSession
from klentyadmin.integrations.crm.target import CrmTarget, crm_target
from klentyadmin.integrations.crm.types import (
    AUTH_HEADER,
    DEFAULT_COLOR,
    LEAD_STATUS_TYPES,
    PAYLOAD_KEYS,
    SERVICE,
    Contact,
    ContactFields,
    CurrentUser,
    LeadStatus,
)

__all__ = [
    "AUTH_HEADER",
    "DEFAULT_COLOR",
    "LEAD_STATUS_TYPES",
    "PAYLOAD_KEYS",
    "SERVICE",
    "Contact",
    "ContactFields",
    "CrmClient",
    "CrmSession",
    "CrmTarget",
    "CurrentUser",
    "LeadStatus",
    "crm_target",
    "parse_color",
    "parse_contact",
    "parse_contacts",
    "parse_created_contact",
    "parse_current_user",
    "parse_lead_status",
    "parse_lead_statuses",
    "parse_phone_numbers",
    "parse_timestamp",
    "rate_limit_key",
]
