"""Mapping the file's columns to Klenty's prospect fields: the choices, the guess from
the headers, and what is wrong with a mapping as a whole."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING

from klentyadmin.integrations.klenty import ProspectFields

if TYPE_CHECKING:
    from prospects.imports.reading import ParsedCsv

EMAIL = "email"
TAGS = "tags"
CUSTOM = "custom"
IGNORE = "ignore"
OWNER = "owner"
LIST = "list_name"

# Every ProspectFields field a column can fill, with the label the page shows.
FIELD_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "middle_name": "Middle name",
    "full_name": "Full name",
    "company": "Company",
    "company_domain": "Company domain",
    "account": "Account",
    "department": "Department",
    "title": "Title",
    "location": "Location",
    "phone": "Phone",
    "twitter_id": "Twitter",
    "company_phone": "Company phone",
    "company_email": "Company email",
    "linkedin_url": "LinkedIn URL",
    "city": "City",
    "country": "Country",
    "list_name": "List",
    "tags": "Tags",
    "owner": "Owner (team member email)",
}
# ProspectFields fields no column maps to directly, and why (see the module docstring).
NOT_COLUMNS = {"custom_fields": "one 'custom field' choice per column", "outcome": "Update only"}
# Targets that may fill more than one column: their values are gathered.
MULTI_TARGETS = {TAGS, CUSTOM, IGNORE}

# Headers as people write them, folded (see `fold`), for each field.
HEADER_ALIASES = {
    "email": "email emailaddress mail emailid workemail businessemail contactemail",
    "first_name": "firstname first givenname fname forename",
    "last_name": "lastname last surname familyname lname",
    "middle_name": "middlename middle middleinitial",
    "full_name": "fullname name contactname prospectname",
    "company": "company companyname organisation organization org employer",
    "company_domain": "domain website companydomain companywebsite web websiteurl",
    "account": "account accountname",
    "department": "department dept",
    "title": "title jobtitle position designation role",
    "location": "location region",
    "phone": "phone mobile phonenumber mobilephone mobilenumber cell cellphone telephone tel",
    "twitter_id": "twitter twitterid twitterhandle twitterurl",
    "company_phone": "companyphone officephone workphone hqphone",
    "company_email": "companyemail",
    "linkedin_url": "linkedin linkedinurl linkedinprofile linkedinprofileurl",
    "city": "city town",
    "country": "country",
    "list_name": "list listname prospectlist",
    "tags": "tags tag labels",
    "owner": "owner owneremail assignto assignedto prospectowner",
}
_TARGET_BY_ALIAS = {
    alias: target for target, aliases in HEADER_ALIASES.items() for alias in aliases.split()
}


def fold(header: str) -> str:
    """Case, spaces, underscores, hyphens and dots do not matter: "E-mail" is "email"."""
    return re.sub(r"[\s_\-.]", "", header).lower()


def target_choices(header: str) -> list[tuple[str, str]]:
    return [
        (IGNORE, "— ignore —"),
        *FIELD_LABELS.items(),
        (CUSTOM, f"Custom field: {header}"),
    ]


def valid_targets() -> set[str]:
    return {IGNORE, CUSTOM, *FIELD_LABELS}


def prospect_field_names() -> set[str]:
    """Every ProspectFields field: FIELD_LABELS and NOT_COLUMNS between them name each."""
    return {f.name for f in fields(ProspectFields)}


def _looks_like_emails(parsed: ParsedCsv, column: int) -> bool:
    values = [r.cells[column].strip() for r in parsed.rows[:50] if column < len(r.cells)]
    values = [v for v in values if v]
    return bool(values) and sum("@" in v for v in values) * 2 > len(values)


def guess_mapping(parsed: ParsedCsv) -> list[str]:
    """A target per header: recognised headers, else "ignore". A column whose header
    says nothing but whose values are mostly addresses is taken for the email when
    no header names one. Each single-value field goes to its first column only."""
    mapping: list[str] = []
    for header in parsed.headers:
        target = _TARGET_BY_ALIAS.get(fold(header), IGNORE)
        if target not in MULTI_TARGETS and target in mapping:
            target = IGNORE
        mapping.append(target)
    if EMAIL not in mapping:
        for i, target in enumerate(mapping):
            if target == IGNORE and _looks_like_emails(parsed, i):
                mapping[i] = EMAIL
                break
    return mapping


def mapping_problems(headers: Iterable[str], mapping: list[str]) -> list[str]:
    """What is wrong with a mapping as a whole, for the mapping form."""
    headers = list(headers)
    problems = []
    by_target: dict[str, list[str]] = {}
    for header, target in zip(headers, mapping, strict=False):
        by_target.setdefault(target, []).append(header)
    if EMAIL not in by_target:
        problems.append("Choose the column that holds the email address.")
    for target, columns in by_target.items():
        if target not in MULTI_TARGETS and len(columns) > 1:
            label = FIELD_LABELS.get(target, target)
            problems.append(f"{label} is chosen for more than one column: {', '.join(columns)}.")
    custom_names = Counter(fold(h) for h, t in zip(headers, mapping, strict=False) if t == CUSTOM)
    for name, count in custom_names.items():
        if count > 1:
            problems.append(f"Two columns would fill the same custom field ({name}).")
    return problems
