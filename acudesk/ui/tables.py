"""Read-only lists (users and roles, the audit log, the waitlist, free slots) and a Close button."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from acudesk.ui.qt import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem


def read_only_table(headers: Sequence[str], resize: QHeaderView.ResizeMode) -> QTableWidget:
    """A table of text the user reads and selects from, never edits; no row numbers. Tab moves on to the
    next control (arrow keys move between rows): going cell by cell, Tab kept the keyboard user inside a
    long list (docs/accessibility.md)."""
    table = QTableWidget(0, len(headers))
    table.setTabKeyNavigation(False)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(resize)
    table.verticalHeader().hide()
    return table


def fill_table(table: QTableWidget, rows: Sequence[Iterable[str]]) -> None:
    """Replace the table's rows with ``rows`` (one string per column)."""
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))


def close_button(dialog: QDialog) -> QDialogButtonBox:
    """A Close button that closes ``dialog``."""
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    close.rejected.connect(dialog.reject)
    return close
