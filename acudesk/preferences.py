"""Preferences of this computer, not of the clinic: kept in the user's configuration folder
(``paths.preferences_path()``, a small JSON file), read at start-up and written when changed.

Only how the screen looks belongs here (high contrast): anything about patients, the schedule or
the clinic is the clinic's and lives in its database. A missing or unreadable file means the
defaults; a preference this version does not know is kept when the file is written again.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from acudesk.paths import preferences_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preferences:
    high_contrast: bool = False  # View → High contrast: black on white, strong borders, thick focus outlines


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("This computer's preferences could not be read (%s); using the defaults", type(error).__name__)
        return {}
    return data if isinstance(data, dict) else {}


def load_preferences() -> Preferences:
    data = _read(preferences_path())
    return Preferences(high_contrast=data.get("high_contrast") is True)


def save_preferences(preferences: Preferences) -> None:
    """Write them whole (a temporary file renamed over the old one: a crash leaves one or the other)."""
    path = preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**_read(path), **asdict(preferences)}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def update_preferences(**changes: Any) -> Preferences:
    preferences = replace(load_preferences(), **changes)
    save_preferences(preferences)
    return preferences
