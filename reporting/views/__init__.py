"""The reports' pages: charts (dashboard), pull status, report emails."""
