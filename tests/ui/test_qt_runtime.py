"""The Qt binding itself: a release that corrupts reference counts crashes the app on quit.

PySide6 6.12.0 released True or False once more than it took on every emit of a connected signal;
under CPython 3.11 (where True, False and None are not immortal) a long session ended in
"Fatal Python error: none_dealloc" / "bool_dealloc". pyproject.toml keeps that release out; this
test fails (without crashing) on any release with the same defect.
"""

from __future__ import annotations

import sys

from acudesk.ui.qt import QObject, Signal


class _Emitter(QObject):
    carried = Signal(object)
    plain = Signal()


def test_emitting_signals_leaves_reference_counts_alone(qapp) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.carried.connect(received.append)
    emitter.plain.connect(lambda: received.append(None))
    counts = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for _ in range(20):
        emitter.carried.emit(None)
        emitter.plain.emit()
    received.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)) == counts
