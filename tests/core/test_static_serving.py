"""How static files reach the browser: bin/run serves them as production does
(WhiteNoise, compressed, cache-busted), and the reports load plotly's partial bundle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.MIDDLEWARE[1], s.STORAGES['staticfiles']['BACKEND']]))"
)


def settings_under(**env: str) -> list:
    environ = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "STATIC_COMPRESSED")}
    environ |= {"DJANGO_SETTINGS_MODULE": "klentyadmin.settings", **env}
    answer = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=environ, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(answer.stdout)


def test_bin_run_sets_debug_off_and_whitenoise_with_compressed_cache_busted_files():
    script = (ROOT / "bin" / "run").read_text()
    assert 'export DEBUG="${DEBUG:-false}" STATIC_COMPRESSED=true' in script
    assert script.index("STATIC_COMPRESSED=true") < script.index("collectstatic")

    debug, middleware, storage = settings_under(DEBUG="false", STATIC_COMPRESSED="true")

    assert debug is False
    assert middleware == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_a_bare_development_server_serves_the_source_folders():
    debug, middleware, storage = settings_under()

    assert debug is True
    assert middleware != "whitenoise.middleware.WhiteNoiseMiddleware"
    assert storage == "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.mark.django_db
def test_the_reports_load_plotlys_cartesian_bundle_not_the_full_one(manager_client):
    html = manager_client.get(reverse("reporting:dashboard")).content.decode()

    assert "/static/vendor/plotly/plotly-cartesian.min.js" in html
    for page in ("reporting:deliverability", "reporting:answer_times"):
        assert "plotly-cartesian.min.js" in manager_client.get(reverse(page)).content.decode()
    assert "plotly.min.js" not in html
    bundle = ROOT / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js"
    assert "plotly.js (cartesian - minified)" in bundle.read_text()[:200]
    assert bundle.stat().st_size < 2_000_000
