"""Forms of the prospects workspace: the search parameters and the prospect editor."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from prospects.columns import COLUMNS, SORT_CHOICES
from prospects.models import Prospect
from prospects.owners import NotLinkedToKlenty, duplicate_refusal, owner_of_new_prospects
from prospects.tags import split_tags

# Rows a page may show; the default is the page size the table always had.
PAGE_SIZES = (25, 50, 100, 200)
PAGE_SIZE = 50
# Deep pages are slow to reach with OFFSET and never what anyone wants: past this
# many rows the page says to narrow the search or download the CSV.
MAX_ROWS_PAGED = 10_000
MAX_PAGE = MAX_ROWS_PAGED // PAGE_SIZE


def max_page(per_page: int) -> int:
    """The deepest page reachable with `per_page` rows a page."""
    return MAX_ROWS_PAGED // per_page


# The largest primary key a row can have (a signed 64-bit integer): a larger number
# in a filter would not fit the database's integer and must not reach a query.
MAX_ROW_ID = 2**63 - 1
CUSTOM_FIELD_ROWS = 3
PHONE_RE = re.compile(r"^\+?[0-9 ().\-/]{3,40}(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SearchForm(forms.Form):
    """The search page's GET parameters. Invalid values are dropped, not fatal."""

    q = forms.CharField(required=False, max_length=200, strip=True)
    list = forms.IntegerField(required=False, min_value=1, max_value=MAX_ROW_ID)
    tag = forms.CharField(required=False, max_length=200, strip=True)
    status = forms.CharField(required=False, max_length=64, strip=True)
    cadence_status = forms.CharField(required=False, max_length=64, strip=True)
    cadence = forms.CharField(required=False, max_length=255, strip=True)
    owner = forms.CharField(required=False, max_length=254, strip=True)
    company = forms.CharField(required=False, max_length=255, strip=True)
    created_from = forms.DateField(required=False)
    created_to = forms.DateField(required=False)
    updated_from = forms.DateField(required=False)
    updated_to = forms.DateField(required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    per_page = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(size), str(size)) for size in PAGE_SIZES],
        label="Rows per page",
    )
    page = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        cleaned = super().clean()
        page = cleaned.get("page")
        if page:
            cleaned["page"] = min(page, max_page(cleaned.get("per_page") or PAGE_SIZE))
        return cleaned


class ColumnsForm(forms.Form):
    """The column chooser: the columns to show (required ones always are), and the
    search to go back to."""

    columns = forms.MultipleChoiceField(required=False, choices=[(c.key, c.label) for c in COLUMNS])
    query = forms.CharField(required=False, max_length=2000)


def is_row_id(value) -> bool:
    """A positive integer that can be a primary key, spelled in ASCII digits."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ROW_ID


class ProspectForm(forms.Form):
    """Every field Klenty's Create Prospects and Update Prospect document.

    Klenty's Update cannot blank a field (empty inputs are not sent), adds tags
    rather than replacing them, and merges custom fields; the edit flow removes
    dropped tags with Remove Tags. `editing` is the cached prospect being edited.
    """

    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(required=False, max_length=150)
    middle_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    full_name = forms.CharField(required=False, max_length=300)
    company = forms.CharField(required=False, max_length=255)
    company_domain = forms.CharField(required=False, max_length=255, label="Company domain")
    account = forms.CharField(required=False, max_length=255)
    department = forms.CharField(required=False, max_length=255)
    title = forms.CharField(required=False, max_length=255)
    location = forms.CharField(required=False, max_length=255)
    phone = forms.CharField(required=False, max_length=64)
    twitter_id = forms.CharField(required=False, max_length=255, label="Twitter")
    company_phone = forms.CharField(required=False, max_length=64, label="Company phone")
    company_email = forms.CharField(required=False, max_length=254, label="Company email")
    linkedin_url = forms.CharField(required=False, max_length=500, label="LinkedIn URL")
    city = forms.CharField(required=False, max_length=150)
    country = forms.CharField(required=False, max_length=150)
    list_name = forms.CharField(
        required=False,
        max_length=255,
        label="List",
        help_text="An existing list, or a new name to create it. Empty: Klenty's default list.",
    )
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Separated by commas (or |), e.g. webinar, q3"
    )
    owner = forms.ChoiceField(required=False, choices=[])
    outcome = forms.ChoiceField(required=False, choices=[])

    def __init__(
        self,
        *args,
        user,
        team_emails: tuple[str, ...] | list[str] = (),
        outcomes: tuple[str, ...] | list[str] = (),
        editing: Prospect | None = None,
        **kwargs,
    ):
        self.user = user
        self.editing = editing
        if editing is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(editing)
        super().__init__(*args, **kwargs)
        self.custom_rows = self._add_custom_field_rows()
        if user.is_rep:
            # A Rep's prospects are always their own: Klenty gets their email as Owner.
            del self.fields["owner"]
        else:
            current = editing.owner_email if editing else ""
            members = list(team_emails)
            if current and current not in members:
                members.append(current)
            empty = "— keep —" if editing else "— the API user (default) —"
            self.fields["owner"].choices = [("", empty)] + [(e, e) for e in members]
        if editing is None:
            del self.fields["outcome"]
        else:
            self._offer_outcomes(list(outcomes), current=editing.outcome)
            # Update Prospect refuses a body whose Email differs from the one in its path.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "Klenty cannot change a prospect's email."

    def _offer_outcomes(self, outcomes: list[str], current: str) -> None:
        if current and current not in outcomes:
            outcomes.append(current)
        if outcomes:
            self.fields["outcome"].choices = [("", "— keep —")] + [(o, o) for o in outcomes]
        else:
            # No outcome configured or seen yet: Klenty is the judge of what is typed.
            self.fields["outcome"] = forms.CharField(required=False, max_length=100)
        self.fields["outcome"].help_text = "Exactly as set up in Klenty (case-sensitive)."

    def _add_custom_field_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        existing = self.editing.custom_fields if self.editing else {}
        count = len(existing) + CUSTOM_FIELD_ROWS
        if self.is_bound:
            # Keep every row that came back, even ones added beyond the initial count.
            posted = [k for k in self.data if re.fullmatch(r"custom_key_\d+", k)]
            count = max(count, len(posted))
        rows = []
        for i, (key, value) in enumerate(
            list(existing.items()) + [("", "")] * (count - len(existing))
        ):
            self.fields[f"custom_key_{i}"] = forms.CharField(
                required=False, max_length=100, initial=key, label=f"Custom field {i + 1} name"
            )
            self.fields[f"custom_value_{i}"] = forms.CharField(
                required=False, max_length=1000, initial=value, label=f"Custom field {i + 1} value"
            )
            rows.append((self[f"custom_key_{i}"], self[f"custom_value_{i}"]))
        return rows

    # -- field checks ------------------------------------------------------------

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.editing is None and Prospect.objects.filter(email=email).exists():
            raise ValidationError(duplicate_refusal(self.user))
        return email

    def clean_tags(self):
        tags = split_tags(self.cleaned_data["tags"])
        for tag in tags:
            if len(tag) > 100:
                raise ValidationError(f"“{tag[:30]}…” is longer than 100 characters.")
        return tags

    def _clean_phone(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if value and not PHONE_RE.match(value):
            raise ValidationError("Enter a phone number: digits, spaces, + ( ) - . only.")
        return value

    def clean_phone(self):
        return self._clean_phone("phone")

    def clean_company_phone(self):
        return self._clean_phone("company_phone")

    def clean_company_email(self):
        value = self.cleaned_data["company_email"].strip().lower()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError("Enter a valid email address.") from None
        return value

    def clean_company_domain(self):
        value = self.cleaned_data["company_domain"].strip().lower()
        value = re.sub(r"^https?://", "", value).split("/")[0].removeprefix("www.")
        if value and not DOMAIN_RE.match(value):
            raise ValidationError("Enter a domain such as northwind.example.")
        return value

    def clean_linkedin_url(self):
        value = self.cleaned_data["linkedin_url"].strip()
        if value and " " in value:
            raise ValidationError("A LinkedIn URL has no spaces.")
        return value

    def clean(self):
        cleaned = super().clean()
        custom: dict[str, str] = {}
        for i, _ in enumerate(self.custom_rows):
            key = (cleaned.get(f"custom_key_{i}") or "").strip()
            value = (cleaned.get(f"custom_value_{i}") or "").strip()
            if not key:
                if value:
                    self.add_error(f"custom_key_{i}", "Name the custom field for this value.")
                continue
            if key in custom:
                self.add_error(f"custom_key_{i}", f"“{key}” appears twice.")
                continue
            custom[key] = value
        cleaned["custom_fields"] = custom
        try:
            owner_of_new_prospects(self.user)
        except NotLinkedToKlenty as exc:
            raise ValidationError(str(exc)) from None
        return cleaned


def initial_for(prospect: Prospect) -> dict:
    return {
        "email": prospect.email,
        "first_name": prospect.first_name,
        "middle_name": prospect.middle_name,
        "last_name": prospect.last_name,
        "full_name": prospect.full_name,
        "company": prospect.company,
        "company_domain": prospect.company_domain,
        "account": prospect.account,
        "department": prospect.department,
        "title": prospect.title,
        "location": prospect.location,
        "phone": prospect.phone,
        "twitter_id": prospect.twitter_id,
        "company_phone": prospect.company_phone,
        "company_email": prospect.company_email,
        "linkedin_url": prospect.linkedin_url,
        "city": prospect.city,
        "country": prospect.country,
        "list_name": prospect.prospect_list.name if prospect.prospect_list_id else "",
        "tags": ", ".join(prospect.tags),
        "owner": prospect.owner_email,
        "outcome": prospect.outcome,
    }


class CustomFieldForm(forms.Form):
    """One custom field value, set on its own from the edit page."""

    key = forms.CharField(max_length=100, label="Custom field")
    value = forms.CharField(max_length=1000, label="Value")

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not key:
            raise forms.ValidationError("Name the custom field.")
        return key

    def clean_value(self) -> str:
        value = self.cleaned_data["value"].strip()
        if not value:
            raise forms.ValidationError("Give the value.")
        return value
