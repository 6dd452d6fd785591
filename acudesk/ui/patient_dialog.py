"""New / edit patient dialog with inline validation, duplicate and conflict handling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acudesk.domain import dates
from acudesk.domain.errors import ConflictError, DuplicateError, ValidationError, ValidationErrors
from acudesk.domain.patient_search import parse_date_text
from acudesk.domain.patients import SEXES, PatientDetails, display_phone
from acudesk.services import patients
from acudesk.services.patients import PatientRecord
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.forms import DISCARD, SAVE, FieldWithError, ask_about_unsaved
from acudesk.ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)

DATE_HINT = dates.TYPED_DATE_HINT


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    kind: str = "line"  # line | text | date | sex | check


PATIENT_FIELDS = (
    _Field("family_name", "Family name *"),
    _Field("given_name", "Given name *"),
    _Field("preferred_name", "Preferred name"),
    _Field("date_of_birth", "Date of birth *", "date"),
    _Field("sex", "Sex", "sex"),
    _Field("phone", "Phone"),
    _Field("email", "Email"),
    _Field("address", "Address", "text"),
    _Field("consent_to_treatment", "Consent to treatment", "check"),
    _Field("consent_date", "Consent given on", "date"),
)
CONTACT_FIELDS = (
    _Field("gp_name", "GP name"),
    _Field("gp_practice", "GP practice"),
    _Field("gp_address", "GP address", "text"),
    _Field("gp_phone", "GP phone"),
    _Field("emergency_contact_name", "Emergency contact"),
    _Field("emergency_contact_phone", "Emergency phone"),
)


class PatientDialog(QDialog):
    """Create a patient (``record`` None) or edit one. Emits ``saved(record)`` after a save."""

    saved = Signal(object)
    open_existing = Signal(int, str)  # (id, "family given"): the record a possible duplicate matched

    def __init__(self, context: AppContext, record: PatientRecord | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.record = record
        self.setWindowTitle("Edit patient" if record else "New patient")
        self.fields: dict[str, FieldWithError] = {}
        columns = QHBoxLayout()
        columns.addWidget(self._group("Patient", PATIENT_FIELDS))
        columns.addWidget(self._group("GP and emergency contact", CONTACT_FIELDS))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if record:
            self._fill(record.details)
        consent = self.editor("consent_to_treatment")
        assert isinstance(consent, QCheckBox)
        consent.toggled.connect(self._consent_ticked)
        for wrapper in self.fields.values():
            wrapper.corrected.connect(self._field_corrected)
        self._loaded = self._editor_values()  # the form as last loaded: what "you changed" is measured from
        self.resize(900, self.sizeHint().height())

    # -- building ----------------------------------------------------------------------------
    def _group(self, title: str, specs: tuple[_Field, ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        for spec in specs:
            editor: QWidget
            if spec.kind == "text":
                editor = QPlainTextEdit()
                editor.setFixedHeight(56)
            elif spec.kind == "sex":
                editor = QComboBox()
                editor.addItems([s.capitalize() for s in SEXES])
                editor.setCurrentIndex(SEXES.index("unknown"))
            elif spec.kind == "check":
                editor = QCheckBox("Patient has given informed consent")
            else:
                editor = QLineEdit()
                if spec.kind == "date":
                    editor.setPlaceholderText(DATE_HINT)
            editor.setObjectName(spec.name)
            wrapper = FieldWithError(editor)
            self.fields[spec.name] = wrapper
            form.addRow(spec.label, wrapper)
        return box

    def _fill(self, details: PatientDetails) -> None:
        for name, wrapper in self.fields.items():
            value = getattr(details, name)
            editor = wrapper.editor
            if isinstance(editor, QPlainTextEdit):
                editor.setPlainText(value)
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(SEXES.index(value) if value in SEXES else SEXES.index("unknown"))
            elif isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QLineEdit) and name.endswith("phone"):
                editor.setText(display_phone(value, self.context.clinic.country))
            elif isinstance(editor, QLineEdit):
                editor.setText(dates.typed(value) if isinstance(value, date) else str(value or ""))

    def _editor_values(self) -> dict[str, object]:
        """Each editor's raw content (text, index or tick), to tell which fields the user changed."""
        values: dict[str, object] = {}
        for name, wrapper in self.fields.items():
            editor = wrapper.editor
            if isinstance(editor, QPlainTextEdit):
                values[name] = editor.toPlainText()
            elif isinstance(editor, QComboBox):
                values[name] = editor.currentIndex()
            elif isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QLineEdit):
                values[name] = editor.text()
        return values

    def _set_editor_value(self, name: str, value: object) -> None:
        editor = self.fields[name].editor
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(int(value))  # type: ignore[call-overload]
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))

    def _consent_ticked(self, ticked: bool) -> None:
        """Consent is usually given at the desk, today: ticking it fills an empty consent date."""
        date_editor = self.editor("consent_date")
        if ticked and isinstance(date_editor, QLineEdit) and not date_editor.text().strip():
            date_editor.setText(dates.typed(self.context.today()))

    def _field_corrected(self) -> None:
        if not any(wrapper.has_error() for wrapper in self.fields.values()):
            self.status.setText("")

    # -- reading -----------------------------------------------------------------------------
    def editor(self, name: str) -> QWidget:
        return self.fields[name].editor

    def _details(self) -> PatientDetails:
        """The form as PatientDetails; unreadable dates raise ValidationErrors for their fields."""
        values: dict[str, object] = {}
        errors = []
        month_first = self.context.clinic.country == "US"
        for name, wrapper in self.fields.items():
            editor = wrapper.editor
            if isinstance(editor, QPlainTextEdit):
                values[name] = editor.toPlainText()
            elif isinstance(editor, QComboBox):
                values[name] = SEXES[editor.currentIndex()]
            elif isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QLineEdit) and name in ("date_of_birth", "consent_date"):
                text = editor.text().strip()
                parsed = parse_date_text(text, month_first=month_first) if text else None
                if text and parsed is None:
                    errors.append(ValidationError(f"'{text}' is not a date; use {DATE_HINT}.", field=name))
                values[name] = parsed
            elif isinstance(editor, QLineEdit):
                values[name] = editor.text()
        if errors:
            raise ValidationErrors(errors)
        return PatientDetails(**values)  # type: ignore[arg-type]

    def show_errors(self, errors: list[ValidationError]) -> None:
        by_field = {e.field: e.message for e in errors}
        for name, wrapper in self.fields.items():
            wrapper.set_error(by_field.get(name))
        first = next((self.fields[e.field].editor for e in errors if e.field in self.fields), None)
        if first is not None:
            first.setFocus()
        self.status.setText("Please correct the fields marked in red.")

    # -- saving ------------------------------------------------------------------------------
    def save(self, confirm_duplicate: bool = False) -> None:
        try:
            details = self._details()
        except ValidationErrors as error:
            self.show_errors(error.errors)
            return
        self.buttons.setEnabled(False)
        self.status.setText("Saving…")
        context, record = self.context, self.record

        def work() -> PatientRecord:
            if record is None:
                return patients.register_patient(context.database, context.actor, details,
                                                 confirm_duplicate=confirm_duplicate)
            return patients.update_patient(context.database, context.actor, record.id, details,
                                           expected_version=record.version, confirm_duplicate=confirm_duplicate)

        context.operations.write(self, work, self._saved, on_failure=self._failed)

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: typed changes are not thrown away unasked."""
        if self.buttons.isEnabled() and self._editor_values() != self._loaded:
            ask_about_unsaved(self, "This patient's record" if self.record else "The new patient", self._closing)
            return
        super().reject()

    def _closing(self, answer: str) -> None:
        if answer == SAVE:
            self.save()  # closes once saved; a refusal stays, with its message
        elif answer == DISCARD:
            super().reject()

    def _saved(self, record: PatientRecord) -> None:
        self.buttons.setEnabled(True)
        self.record = record
        self.saved.emit(record)
        self.accept()

    def _ask_about_duplicate(self, error: DuplicateError) -> None:
        """Open the record that exists (the usual answer), save a different person, or go back."""
        box = QMessageBox(QMessageBox.Icon.Question, "Possible duplicate", error.message, parent=self)
        box.setObjectName("duplicateQuestion")
        open_existing = None
        if error.existing_id is not None:
            open_existing = box.addButton("Open the existing record", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(open_existing)
        different = box.addButton("Save as a different patient", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Back to the form", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if open_existing is not None and box.clickedButton() is open_existing:
            name = " ".join(self._text(n) for n in ("family_name", "given_name"))
            self.open_existing.emit(error.existing_id, name.strip())
            QDialog.reject(self)  # what was typed is the existing patient's: nothing to keep
        elif box.clickedButton() is different:
            self.save(confirm_duplicate=True)

    def _text(self, name: str) -> str:
        editor = self.editor(name)
        return editor.text().strip() if isinstance(editor, QLineEdit) else ""

    def _ask_to_load_theirs(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Someone else saved this patient",
                          "Someone else saved changes to this patient while you were editing, so yours were "
                          "not saved.\n\nLoad their changes into the form? Every field you edited keeps what "
                          "you typed; then check the form and save again.", parent=self)
        box.setObjectName("conflictQuestion")
        load = box.addButton("Load their changes", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(load)
        box.exec()
        return box.clickedButton() is load

    def _load_theirs(self) -> None:
        """Three-way merge of the form: their saved version, with the fields this user edited kept."""
        assert self.record is not None
        context, patient_id = self.context, self.record.id
        self.status.setText("Loading their changes…")

        def merge(fresh: PatientRecord) -> None:
            typed = self._editor_values()
            edited = {name for name, value in typed.items() if value != self._loaded[name]}
            self._fill(fresh.details)
            theirs = self._editor_values()
            both = []
            for name in edited:
                if theirs[name] != self._loaded[name] and theirs[name] != typed[name]:
                    both.append(name)
                    self.fields[name].set_error(f"They saved: {self._shown(name, theirs[name])}. Yours is kept.")
                self._set_editor_value(name, typed[name])
            self.record, self._loaded = fresh, theirs
            self.status.setText(
                "Their changes are loaded; your edits are kept" + (
                    f" ({len(both)} field(s) changed by both of you are marked)." if both else ".")
                + " Check the form and save again."
            )

        context.operations.query(self, lambda: patients.get_patient(context.database, context.actor, patient_id),
                                 merge)

    def _shown(self, name: str, value: object) -> str:
        editor = self.fields[name].editor
        if isinstance(editor, QComboBox):
            return editor.itemText(int(value))  # type: ignore[call-overload]
        if isinstance(editor, QCheckBox):
            return "ticked" if value else "not ticked"
        return f"'{value}'" if value else "(empty)"

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.status.setText("")
        if isinstance(error, ValidationErrors):
            self.show_errors(error.errors)
        elif isinstance(error, DuplicateError):
            self._ask_about_duplicate(error)
        elif isinstance(error, ConflictError) and self.record is not None:
            self.status.setText(error.message)
            if self._ask_to_load_theirs():
                self._load_theirs()
        else:
            show_error(error, self)
