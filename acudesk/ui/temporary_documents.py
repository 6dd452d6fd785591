"""PDFs made only to be opened or printed: where they go and when they are removed.

They hold patient data. All of them go in one private folder (``paths.temporary_documents_dir``, 0700,
in the user's cache folder, never the shared temporary folder), each AcuDesk run in a folder of its own,
and each file is created readable by its owner only (0600). A print's PDF is removed as soon as the
printer has it (or the print is cancelled); a PDF made to open in a viewer stays while the viewer may
still read it, until AcuDesk quits (``remove_this_run``). What a crash left behind is removed at the
next start once it is older than a day (``remove_leftovers``): not younger, because another AcuDesk
running for the same user on this computer may still be using its own folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from acudesk.paths import temporary_documents_dir

log = logging.getLogger(__name__)
LEFTOVER_AGE_SECONDS = 24 * 60 * 60
_RUN_PREFIX = "run-"
_this_run: Path | None = None


def this_run_folder() -> Path:
    """This run's private folder (made on first use, again if something removed it)."""
    global _this_run
    root = temporary_documents_dir()
    if _this_run is None or _this_run.parent != root or not _this_run.is_dir():
        _this_run = Path(tempfile.mkdtemp(prefix=f"{_RUN_PREFIX}{os.getpid()}-", dir=root))  # 0700
    return _this_run


def new_folder(prefix: str) -> Path:
    """A new private folder (0700) inside this run's folder, e.g. one per print job or documents dialog."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=this_run_folder()))


def remove(path: Path) -> None:
    """Remove a temporary file or folder now; a failure is logged (without the name), never raised."""
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("A temporary document could not be removed: %s", error.strerror)


def remove_this_run() -> None:
    """At quit: remove every PDF this run made to open or print."""
    global _this_run
    if _this_run is not None:
        remove(_this_run)
        _this_run = None


def _newest_change(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for inside in path.rglob("*"):
            newest = max(newest, inside.lstat().st_mtime)
    return newest


def remove_leftovers(*, older_than: float = LEFTOVER_AGE_SECONDS, now: float | None = None) -> int:
    """At start-up: remove what earlier runs left (a crash, a power cut) once nothing in it changed for
    ``older_than`` seconds. Returns how many entries were removed."""
    root = temporary_documents_dir()
    cutoff = (time.time() if now is None else now) - older_than
    removed = 0
    for entry in root.iterdir():
        if entry == _this_run:
            continue
        try:
            stale = _newest_change(entry) < cutoff
        except OSError:  # removed meanwhile by another run
            continue
        if stale:
            remove(entry)
            removed += not entry.exists()
    if removed:
        log.info("Removed %d temporary document folder(s) left by earlier runs", removed)
    return removed
