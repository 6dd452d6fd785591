"""ui/operations: answers for closed windows and superseded requests are dropped, writes broadcast
what they changed, failures reach the user, and screens refresh from the broadcast."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from acudesk.domain.errors import ConflictError, ValidationError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.changes import Changes
from acudesk.services import patients
from acudesk.ui import errors
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import QTabWidget, QWidget

TIMEOUT = 10_000


def test_a_query_answers_on_the_gui_thread_and_signals_finished(qtbot, context: AppContext) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    seen: list[tuple[int, bool]] = []
    gui = threading.get_ident()
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        operation = context.operations.query(widget, lambda: 41 + 1,
                                             lambda value: seen.append((value, threading.get_ident() == gui)))
    assert seen == [(42, True)]
    assert operation.done and not operation.dropped


def test_an_answer_for_a_deleted_window_is_dropped(qtbot, context: AppContext) -> None:
    widget = QWidget()
    gate = threading.Event()
    seen: list[object] = []
    operation = context.operations.query(widget, lambda: gate.wait(TIMEOUT / 1000) and "answer", seen.append)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=TIMEOUT)
    with qtbot.waitSignal(operation.finished, timeout=TIMEOUT):
        gate.set()
    assert seen == [] and operation.dropped


def test_a_superseded_request_is_dropped_and_only_the_newest_answer_is_shown(qtbot, context: AppContext) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    gate = threading.Event()
    seen: list[str] = []
    first = context.operations.query(widget, lambda: gate.wait(TIMEOUT / 1000) and "old week", seen.append, key="week")
    second = context.operations.query(widget, lambda: "new week", seen.append, key="week")
    other = context.operations.query(widget, lambda: "other key", seen.append, key="resources")
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        gate.set()
    assert seen == ["new week", "other key"]
    assert first.dropped and not second.dropped and not other.dropped


def test_a_write_broadcasts_what_it_changed_with_its_initiator(qtbot, context: AppContext) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    heard: list[tuple[Changes, object]] = []
    context.operations.changed.connect(lambda changes, initiator: heard.append((changes, initiator)))
    ctx = context
    details = PatientDetails("Quill", "Odette", date(1979, 3, 4))
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(widget, lambda: patients.register_patient(ctx.database, ctx.actor, details))
    [(changes, initiator)] = heard
    assert changes.patients and not changes.schedule and initiator is widget
    heard.clear()
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):  # a read broadcasts nothing
        context.operations.query(widget, lambda: patients.search_patients(ctx.database, ctx.actor, "quill"))
    assert heard == []


def test_a_failed_write_is_shown_to_the_user_and_a_conflict_makes_every_screen_reload(
    qtbot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda error, parent=None, title="": shown.append(error.message))
    heard: list[Changes] = []
    context.operations.changed.connect(lambda changes, _initiator: heard.append(changes))

    def refused() -> None:
        raise ValidationError("The date of birth is in the future.", field="date_of_birth")

    def conflict() -> None:
        raise ConflictError("Someone else saved this patient.")

    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(widget, refused)
    assert shown == ["The date of birth is in the future."] and heard == []
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(widget, conflict)
    assert shown[-1] == "Someone else saved this patient." and heard == [Changes.all()]


def test_a_visible_screen_reloads_at_once_and_a_hidden_one_when_it_is_shown(qtbot, context: AppContext) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    front, back = QWidget(), QWidget()
    tabs.addTab(front, "front")
    tabs.addTab(back, "back")
    tabs.show()
    reloads: list[str] = []
    refresh_on_changes(front, context.operations, lambda c: c.schedule, lambda: reloads.append("front"))
    refresh_on_changes(back, context.operations, lambda c: c.schedule, lambda: reloads.append("back"))
    context.operations.broadcast(Changes(frozenset({"patients"})))
    assert reloads == []  # neither screen shows the registry
    context.operations.broadcast(Changes(frozenset({"appointments"})))
    assert reloads == ["front"]
    tabs.setCurrentWidget(back)
    assert reloads == ["front", "back"]
    tabs.setCurrentWidget(front)
    assert reloads == ["front", "back"]  # nothing changed since the front screen last loaded


def _alive(widget: QWidget) -> bool:
    from acudesk.ui.qt import is_alive

    return is_alive(widget)


def test_a_write_that_fails_after_a_committed_transaction_still_broadcasts_that_change(
    qtbot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(errors, "show_error", lambda error, parent=None, title="": None)
    heard: list[Changes] = []
    context.operations.changed.connect(lambda changes, _initiator: heard.append(changes))
    ctx = context

    def save_then_refuse() -> None:
        patients.register_patient(ctx.database, ctx.actor, PatientDetails("Quill", "Odette", date(1979, 3, 4)))
        raise ValidationError("Signing was refused.")

    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(None, save_then_refuse)
    [changes] = heard
    assert changes.patients and not changes.everything


def test_a_read_while_the_server_is_away_waits_quietly_but_a_failed_save_is_always_shown(
    qtbot, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status bar says "Reconnecting…" and screens reload on reconnect: no box per failed read."""
    from acudesk.domain.errors import ServerUnreachableError

    widget = QWidget()
    qtbot.addWidget(widget)
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda error, parent=None, title="": shown.append(error.message))

    def away() -> None:
        raise ServerUnreachableError("The database server does not answer.")

    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.query(widget, away, lambda _value: None)
    assert shown == []
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(widget, away)
    assert shown == ["The database server does not answer."]
