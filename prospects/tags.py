"""How typed or imported text becomes prospect tags: one rule for every form.

Klenty separates tags with "|" in its writes ("Tags": "Tag1|Tag2") and with ","
in its webhooks ("tags": "Tag1,Tag2") and in Remove Tags, so neither can be part
of a tag: both separate. Klenty keeps a prospect's tags unique ignoring case, so
a repeat in another case is dropped and the first spelling kept.
"""

from __future__ import annotations

import re

SEPARATORS = re.compile(r"[,|]")


def split_tags(text: str) -> list[str]:
    """ "webinar, Q3|vip, q3" -> ["webinar", "Q3", "vip"]."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in SEPARATORS.split(text):
        tag = part.strip()
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags
