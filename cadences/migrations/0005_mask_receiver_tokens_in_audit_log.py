"""Masks the receiver tokens already written to the audit log and the API call log.

Until now Add a Webhook's answer (the receiver URL, token included) was recorded as
it came, and Managers read the audit log. New records are masked as they are
written (klentyadmin/core/recording.py); this masks the old ones. It lives here
because the tokens are this app's.
"""

from django.db import migrations
from django.db.models import Q


def mask_recorded_tokens(apps, schema_editor):
    from klentyadmin.lib.hook_tokens import redact_hook_tokens, redact_hook_tokens_in

    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = AuditEntry.objects.filter(
        Q(action__contains="webhook") | Q(result__contains="hooks/") | Q(target__contains="hooks/")
    )
    for entry in entries.iterator(chunk_size=500):
        masked = {
            "result": redact_hook_tokens(entry.result),
            "target": redact_hook_tokens(entry.target),
            "details": redact_hook_tokens_in(entry.details),
        }
        if masked != {"result": entry.result, "target": entry.target, "details": entry.details}:
            AuditEntry.objects.filter(pk=entry.pk).update(**masked)
    ApiCall = apps.get_model("core", "ApiCall")
    for call in ApiCall.objects.filter(error__contains="hooks/").iterator(chunk_size=500):
        ApiCall.objects.filter(pk=call.pk).update(error=redact_hook_tokens(call.error))


class Migration(migrations.Migration):
    dependencies = [("cadences", "0004_event_identity_unique"), ("core", "0002_connection_client_id")]

    operations = [migrations.RunPython(mask_recorded_tokens, migrations.RunPython.noop)]
