"""Content digests for signed clinical records.

A signed intake or session record stores the SHA-256 of its clinical content in a canonical JSON
form; loading it recomputes the digest, so a change made behind AcuDesk's back is detected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def content_digest(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
