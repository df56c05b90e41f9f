"""PNG images of the report figures, drawn on the server for emails.

kaleido 1.x drives a headless Chromium through the DevTools protocol: it finds
Debian's /usr/bin/chromium by itself (REPORTS_CHROMIUM_PATH overrides it) and never
downloads a browser unless asked to. MathJax is switched off, since kaleido would
otherwise fetch it from a CDN and wait for that to fail; plotly.js comes from the
plotly package. The browser starts once per call (a few seconds) and then draws
each figure in well under a second, so an email's figures are drawn in one call.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings

WIDTH = 900
# kaleido and choreographer narrate every browser start and stop at INFO level.
for _name in ("kaleido", "choreographer", "logistro"):
    logging.getLogger(_name).setLevel(logging.WARNING)
TIMEOUT_SECONDS = 60


class ImageError(Exception):
    """The figures could not be drawn (no browser, or it failed)."""


def render_pngs(figures: list[dict[str, Any]]) -> list[bytes]:
    if not figures:
        return []
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run_here = True
    else:
        run_here = False  # called from async code: asyncio.run needs a thread of its own
    try:
        if run_here:
            return asyncio.run(_render(figures))
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _render(figures)).result()
    except Exception as exc:  # kaleido and choreographer raise many kinds
        raise ImageError(f"The chart images could not be drawn: {exc}") from exc


async def _render(figures: list[dict[str, Any]]) -> list[bytes]:
    import kaleido

    options: dict[str, Any] = {"n": 1, "mathjax": False, "timeout": TIMEOUT_SECONDS}
    if settings.REPORTS_CHROMIUM_PATH:
        options["path"] = settings.REPORTS_CHROMIUM_PATH
    images = []
    async with kaleido.Kaleido(**options) as k:
        for figure in figures:
            height = figure.get("layout", {}).get("height", 340)
            opts = {"format": "png", "width": WIDTH, "height": height, "scale": 1}
            images.append(await k.calc_fig(figure, opts=opts))
    return images
