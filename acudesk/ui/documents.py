"""The "Print documents" dialog: choose a document, render it on the worker, then print, open or save it.

PDFs are rendered by ``services.document_export`` on the TaskRunner's worker (never on the GUI thread) into
AcuDesk's private temporary folder (ui/temporary_documents.py). "Print…" renders the chosen document
afresh and hands it to a print job (ui/printing.py: Qt's preview and printer choice), which records the
print and removes the file. "Create PDF" renders it for the system viewer ("Open") and "Save As…"; that
render is recorded as an export. When no application opens PDFs, "Open" says so and where the file is.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.services.permissions import Permission, allowed
from acudesk.ui import temporary_documents
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.forms import DATE_FIELD_FORMAT
from acudesk.ui.qt import (
    QAction,
    QComboBox,
    QDate,
    QDateEdit,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QKeySequence,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    Qt,
    QToolBar,
    QUrl,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the documents service pulls in ReportLab: load it when printing, not at start-up
    from acudesk.services import document_export
    from acudesk.ui import printing

# (kind, label, needs a patient, permission)
CHOICES = (
    ("handout", "Patient handout “Your acupuncture plan”", True, Permission.PRINT_HANDOUTS),
    ("summary", "Care summary (for the file or the GP)", True, Permission.VIEW_CLINICAL),
    ("referral", "Referral letter to the GP", True, Permission.VIEW_CLINICAL),
    ("receipt", "Statement of fees and payments", True, Permission.PRINT_HANDOUTS),
    ("general", "General handout (no patient)", False, Permission.PRINT_HANDOUTS),
    ("daylist", "Day list for reception", False, Permission.PRINT_HANDOUTS),
)


class DocumentsDialog(QDialog):
    def __init__(self, context: AppContext, patient_id: int | None, patient_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.patient_id = patient_id
        self.patient_name = patient_name
        self.output: Path | None = None
        self._folder = temporary_documents.new_folder("documents-")  # removed at quit: a viewer may read it
        self.print_job: printing.PrintJob | None = None
        self.no_viewer_message: QMessageBox | None = None
        self.setWindowTitle("Print documents")
        self.setObjectName("documentsDialog")

        self.kind = QComboBox()
        for kind, label, needs_patient, permission in CHOICES:
            if allowed(context.actor, permission) and (patient_id is not None or not needs_patient):
                self.kind.addItem(label, kind)
        today = context.today()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(DATE_FIELD_FORMAT)  # Qt's own default wrote "1 12 2026"
        self.kind.currentIndexChanged.connect(self._update)
        form = QFormLayout()
        if patient_name:
            form.addRow("Patient", QLabel(patient_name))
        form.addRow("Document", self.kind)
        form.addRow("Date", self.day)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # an indeterminate "working" bar
        self.busy.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.setToolTip("Preview the document and print it on a printer you choose")
        self.print_button.clicked.connect(self.print_document)
        self.create_button = QPushButton("Create PDF")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_pdf)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_pdf)
        self.save_button = QPushButton("Save As…")
        self.save_button.clicked.connect(self.save_as)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for button in (self.print_button, self.create_button, self.open_button, self.save_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        # Tab from "Document" passed over "Print…" while the date was disabled (Qt skips the button after
        # a disabled date editor's inner field); the order set here keeps Print… in reading order.
        QWidget.setTabOrder(self.day, self.print_button)
        self._update()

    def _update(self) -> None:
        self.day.setEnabled(self.kind.currentData() == "daylist")
        self.create_button.setEnabled(self.kind.count() > 0)
        self.print_button.setEnabled(self.kind.count() > 0 and self.print_job is None)
        self.open_button.setEnabled(self.output is not None)
        self.save_button.setEnabled(self.output is not None)
        if self.kind.count() == 0:
            self.status.setText("Your role does not allow printing documents.")

    def _chosen(self) -> tuple[str, int | None, date | None, str] | None:
        """(service kind, patient id, day, file stem) of the document chosen, None when none may be."""
        kind = self.kind.currentData()
        if kind is None:
            return None
        picked = self.day.date()
        day = date(picked.year(), picked.month(), picked.day()) if kind == "daylist" else None
        patient_id = None if kind in ("general", "daylist") else self.patient_id
        service_kind = "handout" if kind == "general" else kind
        stem = {"daylist": f"day-list-{day}", "general": "acupuncture-handout"}.get(
            kind, f"{kind}-patient-{patient_id}")
        return service_kind, patient_id, day, stem

    def create_pdf(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        ctx = self.context
        service_kind, patient_id, day, stem = chosen
        target = self._folder / f"{stem}.pdf"
        self.output = None
        self._set_busy(True, "Creating the PDF…")
        from acudesk.services import document_export

        ctx.operations.write(
            self, lambda: document_export.export_document(ctx.database, ctx.actor, service_kind, target,
                                                          patient_id=patient_id, day=day),
            self._created, on_failure=self._failed,
        )

    def print_document(self) -> None:
        """Render the chosen document for printing only (recorded once printed), then preview and print it."""
        chosen = self._chosen()
        if chosen is None or self.print_job is not None:
            return
        ctx = self.context
        service_kind, patient_id, day, stem = chosen
        target = temporary_documents.new_folder("print-") / f"{stem}.pdf"  # removed by the print job
        self._set_busy(True, "Preparing the document for printing…")
        self.print_button.setEnabled(False)
        from acudesk.services import document_export

        def failed(error: BaseException) -> None:
            temporary_documents.remove(target.parent)
            self._failed(error)

        ctx.operations.query(
            self, lambda: document_export.render_to_file(ctx.database, ctx.actor, service_kind, target,
                                                         patient_id=patient_id, day=day),
            self._print_rendered, on_failure=failed,
        )

    def _print_rendered(self, rendered: document_export.RenderedFile) -> None:
        from acudesk.ui import printing

        self._set_busy(False, f"{rendered.pages} page{'s' if rendered.pages != 1 else ''} to print.")
        try:
            job = printing.PrintJob(self.context, rendered, self.kind.currentText(), self)
        except printing.PrintError as error:
            temporary_documents.remove(rendered.path.parent)
            self._failed(error)
            return
        self.print_job = job
        job.done.connect(self._printed)
        self._update()
        job.start()

    def _printed(self, message: str) -> None:
        self.print_job = None
        self.status.setText(message)
        self._update()

    def _set_busy(self, busy: bool, text: str) -> None:
        self.busy.setVisible(busy)
        self.create_button.setEnabled(not busy)
        self.print_button.setEnabled(not busy and self.print_job is None)
        self.kind.setEnabled(not busy)
        self.status.setText(text)

    def _created(self, result: document_export.ExportResult) -> None:
        self.output = result.path
        self._set_busy(False, f"Ready: {result.path.name}, {result.pages} page{'s' if result.pages != 1 else ''}.")
        self._update()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False, "")
        self._update()
        show_error(error, self)

    def open_pdf(self) -> None:
        if self.output is None:
            return
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.output))):
            return
        # No application handles PDFs here (or none would start): say so and where the file is.
        message = QMessageBox(QMessageBox.Icon.Information, "No PDF viewer",
                              "No PDF viewer is installed on this computer.", QMessageBox.StandardButton.Ok, self)
        message.setObjectName("noPdfViewerMessage")
        message.setInformativeText(f"The file is saved at {self.output}; use Print… to print it, "
                                   "or install a PDF viewer.")
        message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setText(f"No PDF viewer is installed. The file is saved at {self.output}")
        self.no_viewer_message = message
        message.open()

    def save_as(self) -> None:
        if self.output is None:
            return
        suggested = str(Path.home() / self.output.name)
        path, _ = QFileDialog.getSaveFileName(self, "Save PDF", suggested, "PDF document (*.pdf)")
        if not path:
            return
        try:
            shutil.copyfile(self.output, path)
        except OSError as error:
            self.status.setText(f"The PDF could not be saved: {error.strerror}.")
            return
        self.status.setText(f"Saved to {path}")



def install_print_action(window) -> QAction:
    """Add "Print…" to the main window's toolbar and Patients menu (kept here so the window stays small)."""
    context: AppContext = window.context
    action = QAction("Print…", window, shortcut=QKeySequence(QKeySequence.StandardKey.Print))
    action.setObjectName("printAction")
    action.setToolTip("Print a handout, care summary, referral letter, statement or day list")
    action.setEnabled(any(allowed(context.actor, choice[3]) for choice in CHOICES))

    def show() -> None:
        patient = window.current_patient()  # the patient of the screen in front, never another tab's
        dialog = DocumentsDialog(context, patient.id if patient else None, patient.label() if patient else "",
                                 parent=window)
        dialog.open()

    action.triggered.connect(show)
    toolbar = window.findChild(QToolBar, "mainToolbar")
    if toolbar is not None:  # with the other patient actions, before the header naming the patient
        spacer = getattr(window, "_header_spacer", None)
        if spacer is not None:
            toolbar.insertAction(spacer, action)
        else:
            toolbar.addAction(action)
    for menu_action in window.menuBar().actions():
        if menu_action.text() == "&Patients" and menu_action.menu() is not None:
            menu_action.menu().addSeparator()
            menu_action.menu().addAction(action)
    window.print_action = action
    return action
