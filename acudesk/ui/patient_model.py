"""The patient list's table model: ids first, rows fetched lazily off the GUI thread.

A search returns the matching ids (at most ``services.patients.LIST_LIMIT`` + 1, read in list order
from an index) plus the first screenful of rows, in one read transaction on the worker.
When the view asks for a row not yet loaded, the model shows a placeholder and fetches a block
around it on the worker; when it arrives, the cells repaint. Both run through ``ui/operations``: a
search answer superseded by a newer keystroke is dropped there (one search key), and row blocks
fetched for an older search are ignored here. Modelled on Anki's browser table.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from acudesk.domain import dates
from acudesk.domain.patients import age_on, display_phone
from acudesk.services.patients import PatientRow, PatientSearch
from acudesk.ui.operations import Operation, Operations
from acudesk.ui.qt import QAbstractTableModel, QColor, QModelIndex, QPersistentModelIndex, Qt, Signal
from acudesk.ui.style import ARCHIVED_TEXT

COLUMNS = ("Family name", "Given name", "Date of birth", "Age", "Phone", "Status")
FIRST_ROWS = 80
BLOCK = 200
CACHE_LIMIT = 5000

_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
# data() is called ~1,000 times per paint (visible cells x the roles the delegate asks for); the roles
# this model answers are checked first, so the others cost one set lookup.
_ANSWERED_ROLES = frozenset({int(_DISPLAY), int(_FOREGROUND), int(_ALIGNMENT)})
_AGE_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ARCHIVED_COLOUR = QColor(ARCHIVED_TEXT)
SearchFn = Callable[[str, bool, int], PatientSearch]  # (text, include archived, first rows wanted)
RowsFn = Callable[[Sequence[int]], list[PatientRow]]
Index = QModelIndex | QPersistentModelIndex


class PatientTableModel(QAbstractTableModel):
    searchFinished = Signal(int)  # number of matches returned (``limit`` + 1 means "and more")
    answered = Signal()  # some search's answer (or failure) arrived, current or superseded

    def __init__(
        self, operations: Operations, search: SearchFn, rows: RowsFn, today: Callable[[], date],
        country: str | None = None, *, limit: int | None = None,
    ) -> None:
        """``limit``: the list shows at most this many rows (the search may return one more, to say
        there are more)."""
        super().__init__()
        self._operations = operations
        self._search = search
        self._rows = rows
        self._today = today
        self._country = country
        self._ids: list[int] = []
        self._cache: OrderedDict[int, PatientRow] = OrderedDict()
        self._texts: dict[int, tuple[str, ...]] = {}
        self._texts_day: date | None = None  # ages in the texts are as of this day
        self._limit = limit
        self._pending: set[int] = set()
        self._newest_search: Operation | None = None
        self.query = ("", False)

    # -- loading ---------------------------------------------------------------------------
    def set_query(self, text: str, include_archived: bool) -> None:
        self.query = (text, include_archived)
        operation = self._newest_search = self._operations.query(
            self, lambda: self._search(text, include_archived, FIRST_ROWS),
            lambda result: self._apply_search(result.ids, result.rows), key="search")
        operation.finished.connect(self.answered)  # also when superseded: type-ahead sends the next search

    @property
    def searching(self) -> bool:
        """The newest search sent has not been answered yet."""
        return self._newest_search is not None and not self._newest_search.done

    def reload(self) -> None:
        self._cache.clear()
        self._texts.clear()
        self.set_query(*self.query)

    def _apply_search(self, ids: list[int], first: list[PatientRow]) -> None:
        self.beginResetModel()
        self._ids = ids[: self._limit]
        self._pending.clear()
        self._remember(first)
        self.endResetModel()
        self.searchFinished.emit(len(ids))

    def _remember(self, rows: list[PatientRow]) -> None:
        """Cache rows; a new or changed row loses its display texts, which ``_texts_of`` formats
        again when the row is first painted (only the ~25 visible rows, not all 80 fetched)."""
        today = self._today()
        if today != self._texts_day:  # ages move on at midnight
            self._texts.clear()
            self._texts_day = today
        for row in rows:
            if self._cache.get(row.id) != row:
                self._texts.pop(row.id, None)
            self._cache[row.id] = row
            self._cache.move_to_end(row.id)
        while len(self._cache) > CACHE_LIMIT:
            dropped, _row = self._cache.popitem(last=False)
            self._texts.pop(dropped, None)

    def _texts_of(self, patient_id: int) -> tuple[str, ...] | None:
        """The row's six display texts, formatted once and kept (a phone number costs ~40 us to
        format; data() is asked for each cell on every paint). None while the row is not loaded."""
        texts = self._texts.get(patient_id)
        if texts is None:
            row = self._cache.get(patient_id)
            if row is None:
                return None
            texts = self._texts[patient_id] = (
                row.family_name, row.given_name, dates.day(row.date_of_birth),
                str(age_on(row.date_of_birth, self._texts_day or self._today())),
                display_phone(row.phone, self._country), "Archived" if row.archived else "",
            )
        return texts

    def _fetch_around(self, row: int) -> None:
        start = max(0, row - BLOCK // 4)
        wanted = [i for i in self._ids[start : start + BLOCK] if i not in self._cache and i not in self._pending]
        if not wanted:
            return
        self._pending.update(wanted)
        search = self._newest_search
        self._operations.query(self, lambda: self._rows(wanted), lambda rows: self._apply_rows(search, rows, wanted))

    def _apply_rows(self, search: Operation | None, rows: list[PatientRow], asked: list[int]) -> None:
        self._pending.difference_update(asked)
        if search is not self._newest_search:  # fetched for a list a newer search has replaced
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
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row_number = index.row()
        patient_id = self._ids[row_number]
        texts = self._texts_of(patient_id)
        if texts is None:
            if role == _DISPLAY:
                self._fetch_around(row_number)
                return "…" if index.column() == 0 else ""
            return None
        if role == _DISPLAY:
            return texts[index.column()]
        if role == _FOREGROUND:
            return _ARCHIVED_COLOUR if self._cache[patient_id].archived else None
        return _AGE_ALIGNMENT if index.column() == 3 else None
