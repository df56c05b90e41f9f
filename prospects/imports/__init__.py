"""CSV import: reading a spreadsheet export, mapping its columns to Klenty's
prospect fields, and checking every row before anything is sent.

Parsing and validation are pure functions. They take bytes, a column mapping and
what the dashboard already knows (the emails in the cache, the team) and return
rows and problems; bad input never raises, so no file can break a page. The
storage of an upload between the wizard's steps is in `uploads`: one CSV file and
one JSON sidecar per upload under VAR_DIR/imports, named by a random token.

Decisions the Klenty docs leave open:
- Bulk Add documents no required field but the email (its sample rows carry
  FirstName, and "Create Prospects" is the only endpoint whose examples always
  do), and Klenty answers per row, so a row without a first name is still sent.
- Outcome is not offered as a column: Klenty documents it for Update only, and
  its values are case-sensitive names set up in each account.
- Unknown headers default to "ignore": spreadsheets carry working columns (notes,
  scores, internal ids) that should not silently become Klenty custom fields, and
  the mapping step shows every column, so keeping one is a single choice.
"""

from __future__ import annotations

from prospects.imports.checking import (
    DUPLICATE,
    EXISTS,
    INVALID,
    MAX_CUSTOM_LENGTH,
    MAX_CUSTOM_NAME_LENGTH,
    MAX_LENGTHS,
    MAX_TAGS_LENGTH,
    READY,
    STATUS_LABELS,
    ImportOptions,
    RowOutcome,
    check_row,
    check_rows,
    count_by_status,
    emails_in,
    split_tags,
)
from prospects.imports.mapping import (
    CUSTOM,
    EMAIL,
    FIELD_LABELS,
    HEADER_ALIASES,
    IGNORE,
    LIST,
    MULTI_TARGETS,
    NOT_COLUMNS,
    OWNER,
    TAGS,
    fold,
    guess_mapping,
    mapping_problems,
    prospect_field_names,
    target_choices,
    valid_targets,
)
from prospects.imports.outcomes import (
    ITEM_OUTCOMES,
    NOT_SENT_OUTCOMES,
    OUTCOME_CSV_HEADER,
    final_outcomes,
    outcome_csv,
)
from prospects.imports.reading import (
    BINARY_CONTROL_SHARE,
    BINARY_SAMPLE,
    DELIMITER_NAMES,
    DELIMITERS,
    MAX_COLUMNS,
    CsvRow,
    ParsedCsv,
    decode,
    detect_delimiter,
    looks_binary,
    parse_csv,
    read_upload,
)
from prospects.imports.start import (
    check_upload,
    import_outcomes,
    options_for,
    start_import,
)
from prospects.imports.uploads import (
    MAX_AGE_SECONDS,
    TOKEN_RE,
    StoredImport,
    import_dir,
    load_upload,
    recent_uploads,
    remove_stale_uploads,
    save_upload,
)

# One module per step of the import (reading, mapping, checking, outcomes, uploads,
# start); their public names are gathered here, so `from prospects.imports import X`
# reads as it did when this was one file.
__all__ = [
    "BINARY_CONTROL_SHARE",
    "BINARY_SAMPLE",
    "CUSTOM",
    "CsvRow",
    "DELIMITERS",
    "DELIMITER_NAMES",
    "DUPLICATE",
    "EMAIL",
    "EXISTS",
    "FIELD_LABELS",
    "HEADER_ALIASES",
    "IGNORE",
    "INVALID",
    "ITEM_OUTCOMES",
    "ImportOptions",
    "LIST",
    "MAX_AGE_SECONDS",
    "MAX_COLUMNS",
    "MAX_CUSTOM_LENGTH",
    "MAX_CUSTOM_NAME_LENGTH",
    "MAX_LENGTHS",
    "MAX_TAGS_LENGTH",
    "MULTI_TARGETS",
    "NOT_COLUMNS",
    "NOT_SENT_OUTCOMES",
    "OUTCOME_CSV_HEADER",
    "OWNER",
    "ParsedCsv",
    "READY",
    "RowOutcome",
    "STATUS_LABELS",
    "StoredImport",
    "TAGS",
    "TOKEN_RE",
    "check_row",
    "check_rows",
    "check_upload",
    "count_by_status",
    "decode",
    "detect_delimiter",
    "emails_in",
    "final_outcomes",
    "fold",
    "guess_mapping",
    "import_dir",
    "import_outcomes",
    "load_upload",
    "looks_binary",
    "mapping_problems",
    "options_for",
    "outcome_csv",
    "parse_csv",
    "prospect_field_names",
    "read_upload",
    "recent_uploads",
    "remove_stale_uploads",
    "save_upload",
    "split_tags",
    "start_import",
    "target_choices",
    "valid_targets",
]
