"""Import the data layer before Qt, when the desktop app starts.

PySide6 replaces ``builtins.__import__`` with a hook that looks at every module imported after
it (for its ``__feature__`` switches, reading each module's source). The data layer (SQLAlchemy,
the ORM models, the services, phonenumbers: ~500 modules) is needed on every start anyway; imported
after PySide6 it cost 130-270 ms more on the benchmark machine than imported before it (465-676
against 336-409 ms, three runs each; docs/performance.md, "Third round"). So the app's entry
point calls ``import_data_layer`` first, and only then imports the Qt side (``acudesk.ui.app``).
Command-line commands that never start Qt do not need this.
"""

from __future__ import annotations

import importlib

DATA_LAYER = (
    "acudesk.persistence.database",
    "acudesk.persistence.models",
    "acudesk.services.maintenance",
    "acudesk.services.clinic",
    "acudesk.services.auth",
    "acudesk.services.patients",
    # Not the data layer, but needed by every start and free of Qt: the worker pool, the user
    # folders (log file, default database) and the hanzi font's path.
    "concurrent.futures.thread",
    "acudesk.paths",
    "acudesk.reports.fonts",
)


def import_data_layer(target: str | None = None) -> None:
    """Import what every start needs before its first query, and the SQL dialect of ``target``
    (the ``--db`` path or URL, or ``ACUDESK_DATABASE_URL``; None is the SQLite default)."""
    for name in DATA_LAYER:
        importlib.import_module(name)
    server = target is not None and target.startswith(("postgresql", "postgres:"))
    importlib.import_module("sqlalchemy.dialects.postgresql" if server else "sqlalchemy.dialects.sqlite")
