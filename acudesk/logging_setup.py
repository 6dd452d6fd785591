"""Logging to a rotating file in the user's log directory.

Log lines carry event names, ids, timings and exception types, never patient names, dates of birth,
contact details or clinical text. The UI's error hook logs tracebacks without exception messages.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE_NAME = "acudesk.log"


def configure_logging(level: int = logging.INFO) -> Path | None:
    from acudesk.paths import user_log_dir

    root = logging.getLogger()
    if any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        return None
    try:
        path = user_log_dir() / LOG_FILE_NAME
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        return None  # an unwritable log folder must not stop the clinic from working
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    return path
