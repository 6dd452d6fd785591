"""Administration → Audit log → Verify: the chain and its checkpoints, as an administrator sees them."""

from __future__ import annotations

import sqlite3

from acudesk.services import checkpoints
from acudesk.ui.admin.audit_viewer import AuditViewer
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QPushButton

TIMEOUT = 10_000


def _verified_text(qtbot, context: AppContext) -> str:
    """Administration → Audit log…, then its "Verify chain" button, as the administrator clicks them."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.admin.audit_action.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, AuditViewer) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=TIMEOUT)
    viewer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AuditViewer) and w.isVisible())
    next(b for b in viewer.findChildren(QPushButton) if b.text() == "Verify chain").click()
    qtbot.waitUntil(lambda: "Chain" in viewer.status.text(), timeout=TIMEOUT)
    text = viewer.status.text()
    viewer.close()
    return text


def test_verify_shows_the_checkpoints_that_vouch_for_the_chain(qtbot, context: AppContext) -> None:
    checkpoints.write_checkpoint(context.database, "daily")
    text = _verified_text(qtbot, context)
    assert "Chain intact" in text and "verified with the clinic key" in text


def test_verify_names_events_removed_behind_acudesks_back(qtbot, context: AppContext) -> None:
    checkpoints.write_checkpoint(context.database, "daily")
    path = context.database.sqlite_path
    assert path is not None
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER audit_events_no_delete")
        connection.execute("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)")
    text = _verified_text(qtbot, context)
    assert "Chain intact" in text and "events were removed from its end" in text
