"""Enrichment pages, one module per page group: the domain search flow (`search`),
the email finder (`finder`), verification of pasted emails or of prospects (`verify`),
Snov.io campaigns (`campaigns`), webhooks (`webhooks`) and the connection settings
page (`settings`)."""
