"""The patient list's table model: ids first, rows fetched lazily off the GUI thread.

A search returns the matching ids (at most ``services.patients.LIST_LIMIT`` + 1, read in list order
from an index) plus the first screenful of rows, in one read transaction on the worker.
When the view asks for a row not yet loaded, the model shows a placeholder and fetches a block
around it on the worker; when it arrives, the cells repaint. Stale answers (from a keystroke that
has since been superseded) are dropped by generation number. Modelled on Anki's browser table.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from acudesk.domain.patients import age_on, display_phone
from acudesk.services.patients import PatientRow, PatientSearch
from acudesk.ui.qt import QAbstractTableModel, QColor, QModelIndex, QPersistentModelIndex, Qt, Signal
from acudesk.ui.tasks import TaskRunner

COLUMNS = ("Family name", "Given name", "Date of birth", "Age", "Phone", "Status")
FIRST_ROWS = 80
BLOCK = 200
CACHE_LIMIT = 5000

SearchFn = Callable[[str, bool, int], PatientSearch]  # (text, include archived, first rows wanted)
RowsFn = Callable[[Sequence[int]], list[PatientRow]]
Index = QModelIndex | QPersistentModelIndex


class PatientTableModel(QAbstractTableModel):
    searchFinished = Signal(int)  # number of matching patients
    answered = Signal()  # some search's answer (or failure) arrived, current or superseded

    def __init__(
        self, runner: TaskRunner, search: SearchFn, rows: RowsFn, today: Callable[[], date], country: str | None = None
    ) -> None:
        super().__init__()
        self._runner = runner
        self._search = search
        self._rows = rows
        self._today = today
        self._country = country
        self._ids: list[int] = []
        self._cache: OrderedDict[int, PatientRow] = OrderedDict()
        self._texts: dict[int, tuple[str, ...]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._answered = 0  # newest generation whose answer (or error) has arrived
        self.query = ("", False)

    # -- loading ---------------------------------------------------------------------------
    def set_query(self, text: str, include_archived: bool) -> None:
        self._generation += 1
        generation = self._generation
        self.query = (text, include_archived)

        self._runner.run(lambda: self._search(text, include_archived, FIRST_ROWS),
                         lambda result: self._apply_search(generation, result.ids, result.rows),
                         lambda error: self._search_failed(generation, error))

    @property
    def searching(self) -> bool:
        """The newest search sent has not been answered yet."""
        return self._answered < self._generation

    def _search_failed(self, generation: int, error: BaseException) -> None:
        from acudesk.ui.errors import report_exception

        self._answered = max(self._answered, generation)
        self.answered.emit()
        report_exception(error)

    def refresh(self) -> None:
        self._cache.clear()
        self.set_query(*self.query)

    def _apply_search(self, generation: int, ids: list[int], first: list[PatientRow]) -> None:
        self._answered = max(self._answered, generation)
        if generation == self._generation:  # else superseded by a newer keystroke
            self.beginResetModel()
            self._ids = ids
            self._pending.clear()
            self._remember(first)
            self.endResetModel()
            self.searchFinished.emit(len(ids))
        self.answered.emit()

    def truncate(self, count: int) -> None:
        """Keep only the first ``count`` rows (the search asked for one more to learn there are more)."""
        if len(self._ids) > count:
            self.beginRemoveRows(QModelIndex(), count, len(self._ids) - 1)
            del self._ids[count:]
            self.endRemoveRows()

    def _remember(self, rows: list[PatientRow]) -> None:
        """Cache rows with their display texts, formatted once here rather than on every paint."""
        today = self._today()
        for row in rows:
            self._cache[row.id] = row
            self._cache.move_to_end(row.id)
            self._texts[row.id] = (
                row.family_name, row.given_name, row.date_of_birth.strftime("%d %b %Y"),
                str(age_on(row.date_of_birth, today)), display_phone(row.phone, self._country),
                "Archived" if row.archived else "",
            )
        while len(self._cache) > CACHE_LIMIT:
            dropped, _row = self._cache.popitem(last=False)
            self._texts.pop(dropped, None)

    def _fetch_around(self, row: int) -> None:
        start = max(0, row - BLOCK // 4)
        wanted = [i for i in self._ids[start : start + BLOCK] if i not in self._cache and i not in self._pending]
        if not wanted:
            return
        self._pending.update(wanted)
        generation = self._generation
        self._runner.run(lambda: self._rows(wanted), lambda rows: self._apply_rows(generation, rows, wanted))

    def _apply_rows(self, generation: int, rows: list[PatientRow], asked: list[int]) -> None:
        self._pending.difference_update(asked)
        if generation != self._generation:
            return
        self._remember(rows)
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    # -- access ----------------------------------------------------------------------------
    def patient_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, patient_id: int) -> int | None:
        try:
            return self._ids.index(patient_id)
        except ValueError:
            return None

    def cached(self, patient_id: int) -> PatientRow | None:
        return self._cache.get(patient_id)

    # -- Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._cache.get(self._ids[index.row()])
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole:
                self._fetch_around(index.row())
                return "…" if index.column() == 0 else ""
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row.id][index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.archived:
            return QColor("#8a8f98")
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
