"""The one module through which AcuDesk imports Qt (PySide6).

Screens import names from here, never from PySide6 directly, so a Qt binding change or a
compatibility shim touches one file. A name is bound on first use (PEP 562 ``__getattr__``):
binding a PySide6 class costs ~0.4 ms and start-up uses about half of those listed here. The
imports under ``TYPE_CHECKING`` are the list, for type checkers and readers; ``_MODULE_OF`` is
built from it once and says which PySide6 module holds each name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shiboken6 import isValid as is_alive  # whether a Qt object still exists (callbacks may outlive a window)

if TYPE_CHECKING:
    from PySide6.QtCore import (
        QAbstractTableModel,
        QDate,
        QDateTime,
        QEvent,
        QMarginsF,
        QModelIndex,
        QObject,
        QPersistentModelIndex,
        QPoint,
        QPointF,
        QRect,
        QRectF,
        QSize,
        QSizeF,
        QSortFilterProxyModel,
        Qt,
        QThread,
        QTime,
        QTimer,
        QUrl,
        Signal,
        Slot,
    )
    from PySide6.QtGui import (
        QAction,
        QBrush,
        QColor,
        QDesktopServices,
        QFocusEvent,
        QFont,
        QFontDatabase,
        QFontInfo,
        QGuiApplication,
        QIcon,
        QImage,
        QKeyEvent,
        QKeySequence,
        QPageLayout,
        QPageSize,
        QPaintEngine,
        QPainter,
        QPainterPath,
        QPalette,
        QPen,
        QPixmap,
        QPolygonF,
        QShowEvent,
        QTextCursor,
    )
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QApplication,
        QButtonGroup,
        QCheckBox,
        QComboBox,
        QDateEdit,
        QDateTimeEdit,
        QDialog,
        QDialogButtonBox,
        QDoubleSpinBox,
        QFileDialog,
        QFormLayout,
        QFrame,
        QGridLayout,
        QGroupBox,
        QHBoxLayout,
        QHeaderView,
        QInputDialog,
        QLabel,
        QLineEdit,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QMenu,
        QMessageBox,
        QPlainTextEdit,
        QProgressBar,
        QProgressDialog,
        QPushButton,
        QRadioButton,
        QScrollArea,
        QSizePolicy,
        QSpinBox,
        QSplitter,
        QStackedWidget,
        QStatusBar,
        QStyle,
        QStyleOptionViewItem,
        QTableView,
        QTableWidget,
        QTableWidgetItem,
        QTabWidget,
        QTextBrowser,
        QTimeEdit,
        QToolBar,
        QToolButton,
        QToolTip,
        QVBoxLayout,
        QWidget,
    )


_MODULE_OF: dict[str, str] = {}


def _read_the_list() -> dict[str, str]:
    """name -> PySide6 module, from the TYPE_CHECKING imports above (read once)."""
    import ast

    with open(__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    return {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names}


def __getattr__(name: str) -> Any:
    if not _MODULE_OF:
        _MODULE_OF.update(_read_the_list())
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"acudesk.ui.qt has no Qt name {name!r}; add it to the list in acudesk/ui/qt.py")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
