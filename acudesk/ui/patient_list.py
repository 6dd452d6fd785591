"""The patient registry screen: type-ahead search, the lazy list and a details panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from acudesk.domain.patient_search import search_text_for
from acudesk.services import patients
from acudesk.services.patients import PatientRecord
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.patient_details import PatientDetailsPanel
from acudesk.ui.patient_model import PatientTableModel
from acudesk.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

if TYPE_CHECKING:
    from acudesk.services.calendar_data import CourseOutlook  # the scheduling engine: read only when needed
    from acudesk.services.patient_pane import PatientPane

# The details panel loads the selected patient once the selection has stayed put this long, so
# typing a name (each answer selects its first row) or arrowing down the list loads only where it
# stops, instead of a load and a redraw per key competing with the next search.
DETAILS_DELAY_MS = 50
NO_SEARCH = "no search"  # see PatientListView._wanted_search


class PatientListView(QWidget):
    """Search box, list and details. ``openRequested(id)`` fires on double-click or Enter (the main
    window opens the chart). The list reloads, keeping its selection, when a broadcast says the
    registry changed.

    Type-ahead searches at once when no search is running (no fixed pause after a key); keys typed
    while one runs are coalesced into a single search for the newest text when it comes back.
    """

    openRequested = Signal(int)
    selectionChanged = Signal(object)  # PatientRecord | None
    newRequested = Signal()  # the empty state's "Register a new patient"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setAccessibleName("Find a patient")
        self.search.setPlaceholderText("Find a patient by name, date of birth (dd/mm/yyyy) or phone")
        self.search.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived")
        self.count = QLabel()
        self.count.setObjectName("patientCount")
        db = context.database  # the actor is read at each call: unlocking after the idle lock signs in anew
        self.model = PatientTableModel(
            context.operations,
            lambda text, archived, first: patients.search_patients(db, context.actor, text, include_archived=archived,
                                                                   limit=patients.LIST_LIMIT + 1, first_rows=first),
            lambda ids: patients.patient_rows(db, context.actor, ids),
            context.today,
            context.clinic.country,
            limit=patients.LIST_LIMIT,
        )
        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setAccessibleName("Patients")
        self.table.setTabKeyNavigation(False)  # Tab goes on to the details; arrow keys move between rows
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 150, 120, 50, 170)):
            self.table.setColumnWidth(column, width)
        self.details = PatientDetailsPanel()
        self._typed_meanwhile = False
        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(DETAILS_DELAY_MS)
        self._details_timer.timeout.connect(self._load_selected)
        self.search.textChanged.connect(self._text_changed)
        self.model.answered.connect(self._search_again_if_typed)
        self.search.returnPressed.connect(self._open_current)
        self.show_archived.toggled.connect(lambda _on: self._run_search())
        self.model.searchFinished.connect(self._show_count)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_selected(current.row()))
        self.model.modelReset.connect(self._forget_selection)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_archived)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        # What to do next when the list is empty: no patients yet, or none matching the search.
        self.empty = QLabel()
        self.empty.setObjectName("patientListEmpty")
        self.empty.setWordWrap(True)
        self.empty_button = QPushButton("Register a new patient…")
        self.empty_button.clicked.connect(self.newRequested)
        self.empty_button.setEnabled(allowed(context.actor, Permission.EDIT_PATIENTS))
        empty_row = QHBoxLayout()
        empty_row.addWidget(self.empty, 1)
        empty_row.addWidget(self.empty_button)
        self.empty_box = QWidget()
        self.empty_box.setLayout(empty_row)
        self.empty_box.hide()
        left_layout.addWidget(self.empty_box)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        details_scroll = QScrollArea()  # a long course or screening note scrolls: the window stays on screen
        details_scroll.setWidget(self.details)
        details_scroll.setWidgetResizable(True)
        details_scroll.setAccessibleName("Patient details")  # a Tab stop, to scroll a long note by keys
        details_scroll.setFrameShape(QFrame.Shape.NoFrame)
        details_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter.addWidget(details_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(splitter)
        self.current: PatientRecord | None = None
        self._searched = False
        self._wanted_id: int | None = None  # select this patient when the next answer lists them
        # else search for them by their names, once: None (not yet), "" (reading their names), the
        # (text, archived too) typed, whose answer ends the wait, or NO_SEARCH (a reload keeping the
        # selection: a patient no longer listed, say just archived, is let go)
        self._wanted_search: tuple[str, bool] | str | None = None
        refresh_on_changes(self, context.operations, lambda changes: changes.patients, self.reload)
        refresh_on_changes(self, context.operations, lambda changes: changes.schedule or changes.clinical,
                           self._schedule_changed)  # visits booked, and a signed intake's screening
        # The first search goes out when the event loop next runs: after the window holding this
        # view is built, so the worker does not compete with the GUI thread for the interpreter.
        QTimer.singleShot(0, self._first_search)

    def _first_search(self) -> None:
        if not self._searched:  # nothing (a test, a refresh) has searched yet
            self._run_search()

    def _forget_selection(self) -> None:
        """A new result list invalidates the selected record (it may have changed or gone): the
        actions are disabled at once; the panel is redrawn when the new selection's details land,
        or cleared by ``_show_count`` when nothing will be selected."""
        self._details_timer.stop()
        self.current = None
        self.selectionChanged.emit(None)

    def _text_changed(self) -> None:
        if self.model.searching:
            self._typed_meanwhile = True
        else:
            self._run_search()

    def _search_again_if_typed(self) -> None:
        if self._typed_meanwhile and not self.model.searching:
            self._run_search()

    def _run_search(self) -> None:
        self._searched = True
        self._typed_meanwhile = False
        self.model.set_query(self.search.text(), self.show_archived.isChecked())

    def reload(self) -> None:
        """Search again for the same text, keeping the selected patient selected."""
        if self._wanted_id is None:
            self._wanted_id = self.model.patient_id(self.table.currentIndex().row())
            self._wanted_search = NO_SEARCH
        self.model.reload()

    def select_patient(self, patient_id: int, name: str = "") -> None:
        """Make ``patient_id`` the selection (a patient just registered or edited, a visit's "Open
        patient"). When the current search does not list them, the search becomes the first word of
        their family and given names, read from their record, so that it does (``name``, as written
        for people, may not be searchable: "王小明", or a right-to-left name between direction marks)."""
        self._wanted_id, self._wanted_search = patient_id, None
        self.reload()

    def _select_wanted(self) -> bool:
        """After an answer: select the wanted patient, or search for them by their names once."""
        wanted = self._wanted_id
        if wanted is None:
            return False
        row = self.model.row_of(wanted)
        if row is not None:
            self._wanted_id = None
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
            return True
        if self._wanted_search is None:
            self._wanted_search = ""
            self._search_for(wanted)
            return True
        if self._wanted_search not in (NO_SEARCH, self.model.query):
            return True  # an earlier search's answer: the one for their names is on its way
        self._wanted_id = None
        return False

    def _search_for(self, patient_id: int) -> None:
        """Type the patient's names into the search (archived ones listed too when they are archived);
        the type-ahead's answer selects them."""
        ctx = self.context

        def found(record: PatientRecord) -> None:
            if self._wanted_id != patient_id:  # another patient was asked for meanwhile
                return
            text = search_text_for(record.details.family_name, record.details.given_name)
            archived = record.archived or self.show_archived.isChecked()
            self._wanted_search = (text, archived)
            for widget in (self.search, self.show_archived):
                widget.blockSignals(True)
            self.search.setText(text)
            self.show_archived.setChecked(archived)
            for widget in (self.search, self.show_archived):
                widget.blockSignals(False)
            self._run_search()

        ctx.operations.query(self, lambda: patients.get_patient(ctx.database, ctx.actor, patient_id), found,
                             key="find wanted")

    def _show_count(self, count: int) -> None:
        noun = "patient" if count == 1 else "patients"
        archived = " (archived included)" if self.show_archived.isChecked() else ""
        if count > patients.LIST_LIMIT:
            self.count.setText(f"The first {patients.LIST_LIMIT:,} matches are shown{archived}: "
                               "type more of the name, a date of birth or a phone number to narrow the list.")
        else:
            self.count.setText(f"{count:,} {noun}{archived}")
        self._show_empty_state(count)
        if self._select_wanted():
            return
        if count and self.search.text().strip():
            self.table.selectRow(0)
        else:
            self.details.show_record(None)

    def _show_empty_state(self, count: int) -> None:
        text = self.search.text().strip()
        if count:
            self.empty_box.hide()
            return
        if text:
            self.empty.setText(f"No patient matches “{text}”. Check the spelling, try a date of birth "
                               "(dd/mm/yyyy) or the phone number's last digits, or register them.")
            self.empty_button.setText("Register a new patient…")
        else:
            self.empty.setText("No patients yet. Register your first patient to book their visits and "
                               "start their record (Patients → New patient, Ctrl+N).")
            self.empty_button.setText("Register your first patient…")
        self.empty_box.show()

    def _row_selected(self, row: int) -> None:
        """Until the newly selected patient's details have loaded, no action may act on the last one."""
        self.current = None
        self.selectionChanged.emit(None)
        if self.model.patient_id(row) is None:
            self._details_timer.stop()
            self.details.show_record(None)
            return
        self._details_timer.start()

    def _load_selected(self) -> None:
        patient_id = self.model.patient_id(self.table.currentIndex().row())
        if patient_id is None:
            return
        ctx = self.context
        ctx.operations.query(self, lambda: patients.get_patient(ctx.database, ctx.actor, patient_id), self._loaded,
                             key="details")

    def _loaded(self, record: PatientRecord) -> None:
        if self.model.patient_id(self.table.currentIndex().row()) != record.id:
            return  # the selection moved on while loading
        self.current = record
        self.details.show_record(record, self.context.today(), self.context.clinic.country)
        self._load_course(record.id)
        self.selectionChanged.emit(record)

    def _load_course(self, patient_id: int) -> None:
        """The selected patient's screening, visits booked and course, under their details."""
        if not allowed(self.context.actor, Permission.VIEW_SCHEDULE):
            return
        ctx = self.context

        def read() -> tuple[PatientPane, CourseOutlook | None]:
            from acudesk.services import calendar_data, patient_pane  # the scheduling engine: when needed

            return (patient_pane.patient_pane(ctx.database, ctx.actor, patient_id),
                    calendar_data.course_outlook(ctx.database, ctx.actor, patient_id))

        def loaded(answer: tuple[PatientPane, CourseOutlook | None]) -> None:
            if self.current is not None and self.current.id == patient_id:
                pane, outlook = answer
                self.details.show_pane(pane, list_visits=outlook is None)  # a course lists its own
                self.details.show_course(outlook)

        ctx.operations.query(self, read, loaded, key="course")

    def _schedule_changed(self) -> None:
        if self.current is not None:
            self._load_course(self.current.id)

    def _open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_row(index.row())

    def _open_row(self, row: int) -> None:
        patient_id = self.model.patient_id(row)
        if patient_id is not None:
            self.openRequested.emit(patient_id)
