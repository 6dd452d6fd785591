"""The patient list's table model: what each cell shows, lazy rows, and a refresh mid-paint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from acudesk.services.patients import PatientRow, PatientSearch
from acudesk.ui.operations import Operations
from acudesk.ui.patient_model import PatientTableModel
from acudesk.ui.qt import QColor, Qt
from acudesk.ui.tasks import TaskRunner

TIMEOUT = 5_000
ROWS = {
    1: PatientRow(1, "Ashworth", "Alice", date(1984, 3, 7), "+447700900123", False),
    2: PatientRow(2, "Bamber", "Ben", date(1990, 1, 1), "", True),
    3: PatientRow(3, "Quayle", "Rosa", date(1980, 2, 29), "+447700900456", False),
}


@pytest.fixture
def model(qapp):
    runner = TaskRunner()
    fetched: list[list[int]] = []

    def search(text: str, archived: bool, first: int) -> PatientSearch:
        return PatientSearch([1, 2, 3], [ROWS[1], ROWS[2]])  # the third row is left for the lazy fetch

    def rows(ids: Sequence[int]) -> list[PatientRow]:
        fetched.append(list(ids))
        return [ROWS[i] for i in ids]

    model = PatientTableModel(Operations(runner), search, rows, lambda: date(2026, 11, 22), "GB")
    model.fetched = fetched
    yield model
    runner.shutdown()


def test_cells_show_formatted_texts_and_only_the_roles_the_table_uses(qtbot, model: PatientTableModel) -> None:
    model.set_query("", False)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=TIMEOUT)
    texts = [model.data(model.index(0, column)) for column in range(6)]
    assert texts == ["Ashworth", "Alice", "7 Mar 1984", "42", "07700 900123", ""]
    assert model.data(model.index(1, 5)) == "Archived"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) == QColor("#8a8f98")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(0, 3), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None


def test_a_row_not_yet_loaded_shows_a_placeholder_then_its_texts(qtbot, model: PatientTableModel) -> None:
    model.set_query("", False)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=TIMEOUT)
    assert model.data(model.index(2, 0)) == "…"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ForegroundRole) is None
    qtbot.waitUntil(lambda: model.data(model.index(2, 0)) == "Quayle", timeout=TIMEOUT)
    assert model.fetched == [[3]]  # type: ignore[attr-defined]


def test_refresh_forgets_cached_rows_without_breaking_a_paint_in_between(qtbot, model: PatientTableModel) -> None:
    model.set_query("", False)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=TIMEOUT)
    model.reload()
    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole):
        model.data(model.index(1, 3), role)  # a paint before the new answer: placeholders, no error
    qtbot.waitUntil(lambda: not model.searching, timeout=TIMEOUT)
    assert model.data(model.index(1, 0)) == "Bamber"


def test_a_limited_list_keeps_its_limit_and_reports_that_there_are_more(qtbot, qapp) -> None:
    runner = TaskRunner()
    model = PatientTableModel(Operations(runner),
                              lambda text, archived, first: PatientSearch([1, 2, 3], [ROWS[1], ROWS[2]]),
                              lambda ids: [ROWS[i] for i in ids], lambda: date(2026, 11, 22), "GB", limit=2)
    with qtbot.waitSignal(model.searchFinished, timeout=TIMEOUT) as finished:
        model.set_query("", False)
    assert finished.args == [3]  # one more than the limit: "and more"
    assert model.rowCount() == 2
    runner.shutdown()


def test_a_row_is_formatted_when_first_shown_and_again_only_when_it_changed(qtbot, qapp, monkeypatch) -> None:
    from acudesk.ui import patient_model

    answers = [PatientSearch([1], [ROWS[1]]), PatientSearch([1], [ROWS[1]]),
               PatientSearch([1], [PatientRow(1, "Ashworth", "Alice", date(1984, 3, 7), "+447700900999", False)])]
    formatted: list[str] = []
    real = patient_model.display_phone
    monkeypatch.setattr(patient_model, "display_phone", lambda phone, country: (formatted.append(phone),
                                                                                  real(phone, country))[1])
    runner = TaskRunner()
    model = PatientTableModel(Operations(runner), lambda text, archived, first: answers.pop(0), lambda ids: [],
                              lambda: date(2026, 11, 22), "GB")
    shown = []
    for _ in range(3):
        model.set_query("a", False)
        qtbot.waitUntil(lambda: not model.searching, timeout=TIMEOUT)
        shown += [model.data(model.index(0, 4)), model.data(model.index(0, 4))]  # two paints
    assert shown == ["07700 900123"] * 4 + ["07700 900999"] * 2
    assert formatted == ["+447700900123", "+447700900999"]  # once per version of the row
    runner.shutdown()
