"""CSV import, as a wizard: upload → map columns → preview → start → outcome.

The upload is kept on disk between steps (prospects/imports/uploads.py); every step
finds it by the token in the URL and answers 404 unless the signed-in user made
it. Nothing reaches Klenty before "Start", which queues the lead's Bulk Add job.
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dedupe.warnings import warnings_for_rows
from klentyadmin.accounts.roles import any_role
from klentyadmin.core import once
from klentyadmin.lib.csv_writer import csv_download, csv_response
from prospects.imports.checking import MAX_LENGTHS, READY, STATUS_LABELS, count_by_status
from prospects.imports.mapping import IGNORE, LIST, guess_mapping, mapping_problems, target_choices
from prospects.imports.outcomes import OUTCOME_CSV_HEADER
from prospects.imports.reading import ParsedCsv, parse_csv, read_upload
from prospects.imports.start import check_upload, import_outcomes, start_import
from prospects.imports.uploads import StoredImport, load_upload, recent_uploads, save_upload
from prospects.models import ProspectList
from prospects.tags import split_tags

TEMPLATE = "prospects/import.html"
PROBLEMS_SHOWN = 50


# -- forms ------------------------------------------------------------------------


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once it passes CSV_IMPORT_MAX_BYTES.

    Django would otherwise spool the whole body to a temporary file before the
    view can look at its size; with this handler first in line, a 50 MB file is
    read and dropped chunk by chunk and never lands anywhere.
    """

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={"empty": "The file is empty.", "required": "Choose a CSV file."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        help_text="UTF-8 or Windows-1252, separated by commas, semicolons or tabs; "
        "the first row holds the column names.",
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.parsed: ParsedCsv | None = None
        self.data_bytes = b""

    def full_clean(self):
        super().full_clean()
        if self.too_large and self.is_bound:
            # The handler dropped the file, so "required" would be the wrong message.
            self.errors.pop("file", None)
            self.add_error("file", self.size_message())

    def size_message(self) -> str:
        return (
            f"The file is larger than {filesizeformat(settings.CSV_IMPORT_MAX_BYTES)}, "
            "the most one import takes. Split it into smaller files."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CSV_IMPORT_MAX_BYTES:
            raise forms.ValidationError(self.size_message())
        data = upload.read()
        parsed = read_upload(data)
        if not parsed.ok:
            raise forms.ValidationError(parsed.problem)
        self.parsed, self.data_bytes = parsed, data
        return upload


class MappingForm(forms.Form):
    """One select per column of the file, then the list and the extra tags."""

    list_name = forms.CharField(
        label="List to import into",
        required=False,
        max_length=MAX_LENGTHS[LIST],
        widget=forms.TextInput(attrs={"list": "import-lists", "autocomplete": "off"}),
        help_text="Pick a list or type a new name. A List column, where filled, wins; "
        "leave blank for Klenty's default list.",
    )
    extra_tags = forms.CharField(
        label="Extra tags for every row",
        required=False,
        help_text="Comma-separated, e.g. “webinar, q3”.",
    )

    def __init__(self, *args, parsed: ParsedCsv, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = parsed.headers
        self.column_names = []
        for i, header in enumerate(parsed.headers):
            samples = [r.cells[i].strip() for r in parsed.rows[:20] if i < len(r.cells)]
            samples = [s[:40] for s in samples if s][:3]
            name = f"column_{i}"
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=target_choices(header),
                help_text=f"e.g. {', '.join(samples)}" if samples else "empty in the first rows",
            )
            self.column_names.append(name)
        # The columns first, in file order.
        self.order_fields(self.column_names)

    @property
    def column_fields(self):
        return [self[name] for name in self.column_names]

    def clean_extra_tags(self) -> list[str]:
        return split_tags(self.cleaned_data["extra_tags"])

    def clean(self):
        cleaned = super().clean()
        mapping = [cleaned.get(name, IGNORE) for name in self.column_names]
        for problem in mapping_problems(self.headers, mapping):
            self.add_error(None, problem)
        cleaned["mapping"] = mapping
        return cleaned


# -- helpers ----------------------------------------------------------------------


def _upload_or_404(request, token: str) -> StoredImport:
    stored = load_upload(token, request.user)
    if stored is None:
        raise Http404("No such import.")
    return stored


def _page(request, step: str, context: dict) -> HttpResponse:
    return render(request, TEMPLATE, {"step": step, **context})


# -- views ------------------------------------------------------------------------


# CSRF is checked by `_upload` below, after the size limit is in place: Django's
# CSRF middleware reads the body, and the upload handlers must be set before that.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@any_role
def upload(request):
    limit = UploadLimit(request, settings.CSV_IMPORT_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return _upload(request, limit)


@csrf_protect
def _upload(request, limit: UploadLimit):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, too_large=limit.exceeded)
        if form.is_valid():
            stored = save_upload(
                user=request.user, data=form.data_bytes, filename=form.cleaned_data["file"].name
            )
            return redirect("prospects:import_map", token=stored.token)
    else:
        form = UploadForm()
    recent = recent_uploads(request.user)
    return _page(request, "upload", {"form": form, "recent": recent})


@require_http_methods(["GET", "POST"])
@any_role
def map_columns(request, token: str):
    stored = _upload_or_404(request, token)
    if stored.started:
        return redirect("prospects:import_summary", token=token)
    parsed = parse_csv(stored.read_bytes())
    if request.method == "POST":
        form = MappingForm(request.POST, parsed=parsed)
        if form.is_valid():
            stored.meta.update(
                mapping=form.cleaned_data["mapping"],
                list_name=form.cleaned_data["list_name"].strip(),
                extra_tags=form.cleaned_data["extra_tags"],
            )
            stored.save()
            return redirect("prospects:import_preview", token=token)
    else:
        mapping = stored.meta.get("mapping") or guess_mapping(parsed)
        initial = {f"column_{i}": target for i, target in enumerate(mapping)}
        initial["list_name"] = stored.meta.get("list_name", "")
        initial["extra_tags"] = ", ".join(stored.meta.get("extra_tags", []))
        form = MappingForm(initial=initial, parsed=parsed)
    lists = ProspectList.objects.values_list("name", flat=True)
    return _page(request, "map", {"stored": stored, "parsed": parsed, "form": form, "lists": lists})


@require_GET
@any_role
def preview(request, token: str):
    stored = _upload_or_404(request, token)
    if stored.started:
        return redirect("prospects:import_summary", token=token)
    if "mapping" not in stored.meta:
        return redirect("prospects:import_map", token=token)
    parsed, outcomes = check_upload(stored, request.user)
    problems = [o for o in outcomes if o.status != READY]
    context = {
        "stored": stored,
        "parsed": parsed,
        "counts": _labelled(count_by_status(outcomes)),
        "ready": sum(o.status == READY for o in outcomes),
        "total": len(outcomes),
        "problems": problems[:PROBLEMS_SHOWN],
        "more_problems": max(len(problems) - PROBLEMS_SHOWN, 0),
        # Near-duplicates are imported all the same; the preview says so first.
        "near": warnings_for_rows(request.user, [o for o in outcomes if o.status == READY]),
    }
    return _page(request, "preview", context)


@require_POST
@any_role
def start(request, token: str):
    stored = _upload_or_404(request, token)
    if "mapping" not in stored.meta:
        messages.error(request, "Choose what each column holds before starting.")
        return redirect("prospects:import_map", token=token)
    # The upload's token is this form's one-time key: one upload starts one job.
    return once.send_once(request, f"csv-import-{token}", lambda: _start(request, stored))


def _start(request, stored: StoredImport) -> str:
    """Starts the import and says how it went; the URL to show next."""
    summary = reverse("prospects:import_summary", kwargs={"token": stored.token})
    if stored.started:  # started before one-time keys were kept
        return summary
    job = start_import(stored, request.user)
    if job is None:
        messages.warning(request, "No row was ready to import, so nothing was sent to Klenty.")
        return summary
    not_sent = len(stored.meta["rows"]) - job.total
    messages.success(
        request,
        format_html(
            'Import started: {} rows go to Klenty, {} were not sent. <a href="{}">Import '
            "summary and per-row outcome (CSV)</a>",
            job.total,
            not_sent,
            summary,
        ),
    )
    return job.get_absolute_url()


@require_GET
@any_role
def summary(request, token: str):
    stored = _upload_or_404(request, token)
    if not stored.started:
        return redirect("prospects:import_preview", token=token)
    outcomes = import_outcomes(stored)
    counts = Counter(outcome for _, _, outcome, _ in outcomes)
    trouble = [o for o in outcomes if o[2] not in {"added", "pending"}]
    context = {
        "stored": stored,
        "counts": sorted(counts.items()),
        "total": len(outcomes),
        "job_id": stored.meta.get("job_id"),
        "pending": counts.get("pending", 0),
        "problems": trouble[:PROBLEMS_SHOWN],
        "more_problems": max(len(trouble) - PROBLEMS_SHOWN, 0),
    }
    return _page(request, "summary", context)


@require_GET
@any_role
@csv_download
def outcome_csv(request, token: str):
    stored = _upload_or_404(request, token)
    if not stored.started:
        raise Http404("This import has not started.")
    rows = [OUTCOME_CSV_HEADER, *import_outcomes(stored)]
    return csv_response(f"import-{token[:8]}-outcome.csv", rows)


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(status, STATUS_LABELS[status], n) for status, n in counts.items()]
