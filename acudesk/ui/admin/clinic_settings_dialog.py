"""Administration → Clinic settings: the clinic's details and currency, opening hours per weekday, rooms,
visit types, closures and leave (services/clinic_settings.py; docs/scheduling.md, "Clinic settings").

Each tab writes through ``ui/operations`` and the whole dialog reloads from the change broadcast
(its own writes, another administrator's, another workstation's). A form someone is typing into is not
overwritten by a reload; its save then meets the service's "someone else changed it" check, and the
form is refilled. Refusals appear under the field they are about (``FieldWithError``); a change that
would leave booked visits on a closed day or outside the hours asks first, naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from acudesk.domain import clinic_settings as rules
from acudesk.domain.errors import ConflictError, ValidationError
from acudesk.services import clinic_settings
from acudesk.services.clinic_settings import ClinicDetails, ClinicSettings, CurrencyInUseError, VisitsAffectedError
from acudesk.ui.admin.clinic_settings_lists import ClosuresTab, RoomsTab, VisitTypesTab
from acudesk.ui.admin.settings_feedback import Feedback, button_row, confirm_affected, muted_label, show_refusal
from acudesk.ui.context import AppContext
from acudesk.ui.forms import FieldWithError
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import MUTED_TEXT
from acudesk.ui.tables import close_button


class ClinicTab(QWidget):
    """Name, contacts and currency. The time zone and the holiday region are set at set-up."""

    def __init__(self, dialog: ClinicSettingsDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.stamp = ""
        self.edited = False
        self.name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setFixedHeight(64)
        self.address.setTabChangesFocus(True)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.currency = QComboBox()
        for code, name in clinic_settings.supported_currencies():
            self.currency.addItem(f"{code} — {name}", code)
        self.fields = {key: FieldWithError(widget) for key, widget in (
            ("name", self.name), ("address", self.address), ("phone", self.phone), ("email", self.email),
            ("currency", self.currency))}
        self.where = QLabel()
        self.where.setStyleSheet(f"color: {MUTED_TEXT};")
        self.where.setWordWrap(True)
        self.save_button = QPushButton("Save clinic details")
        self.save_button.clicked.connect(self.save)
        self.feedback = Feedback()
        form = QFormLayout()
        for key, label in (("name", "Clinic name"), ("address", "Address"), ("phone", "Phone"),
                           ("email", "E-mail"), ("currency", "Currency")):
            form.addRow(label, self.fields[key])
            self.fields[key].editor.setAccessibleName(label)
        form.addRow("", self.where)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(button_row(self.save_button))
        layout.addWidget(self.feedback)
        layout.addStretch(1)
        for editor in (self.name, self.phone, self.email):
            editor.textEdited.connect(self._edited)
        self.address.textChanged.connect(self._edited)
        self.currency.activated.connect(self._edited)

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.edited = True

    _filling = False

    def show_settings(self, settings: ClinicSettings) -> None:
        clinic = settings.clinic
        region = clinic.country + (f"-{clinic.subdivision}" if clinic.subdivision else "")
        self.where.setText(f"Time zone {clinic.timezone}; public holidays of {region} (both set at set-up). "
                           "Fees are amounts in the clinic's currency: changing it converts none of them.")
        if self.edited:
            return  # what is being typed stays; saving it meets the stamp check
        self._filling = True
        self.stamp = settings.stamp
        self.name.setText(clinic.name)
        self.address.setPlainText(clinic.address)
        self.phone.setText(clinic.phone)
        self.email.setText(clinic.email)
        index = self.currency.findData(clinic.currency)
        if index < 0:  # kept from before this list (a currency no longer accepted): shown, not chosen anew
            self.currency.addItem(clinic.currency, clinic.currency)
            index = self.currency.count() - 1
        self.currency.setCurrentIndex(index)
        self._filling = False

    def save(self, priced_seen: int | None = None) -> None:
        details = ClinicDetails(self.name.text(), self.address.toPlainText(), self.phone.text(), self.email.text(),
                                str(self.currency.currentData() or ""))
        ctx, stamp = self.dialog.context, self.stamp
        self.feedback.said("")

        def saved(new_stamp: str) -> None:
            self.edited = False
            self.stamp = new_stamp
            self.feedback.said("Saved.")

        self.dialog.write(self, lambda: clinic_settings.update_clinic_details(ctx.database, ctx.actor, details,
                                                                              stamp=stamp, priced_seen=priced_seen),
                          saved, self._failed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, CurrencyInUseError):
            if confirm_affected(self, error, "Change the currency", title="Amounts already recorded",
                                advice="Change the visit types' fees too (Visit types)."):
                self.save(priced_seen=error.count)
            else:
                self.feedback.said("Not saved.", error=True)
            return
        if isinstance(error, ConflictError):
            self.edited = False  # the broadcast that follows refills the form with what is stored
        show_refusal(error, self.fields, self.feedback, self)


class HoursTab(QWidget):
    """A row per weekday: "Closed", and the open spans as text ("09:00-13:00, 14:00-18:00"), checked as typed."""

    def __init__(self, dialog: ClinicSettingsDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.stamp = ""
        self.edited = False
        self._filling = False
        self.closed: dict[str, QCheckBox] = {}
        self.spans: dict[str, QLineEdit] = {}
        self.fields: dict[str, FieldWithError] = {}
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        grid.addWidget(muted_label("Several spans a day are allowed, e.g. a lunch break: 09:00-13:00, 14:00-18:00."),
                       0, 0, 1, 3)
        for row, (day, name) in enumerate(zip(rules.WEEKDAY_KEYS, rules.WEEKDAY_NAMES, strict=True), start=1):
            closed = QCheckBox("Closed")
            closed.setAccessibleName(f"{name} closed")
            spans = QLineEdit()
            spans.setAccessibleName(f"{name} opening hours")
            spans.setPlaceholderText("09:00-13:00, 14:00-18:00")
            field = FieldWithError(spans)
            self.closed[day], self.spans[day], self.fields[rules.hours_field(day)] = closed, spans, field
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(closed, row, 1)
            grid.addWidget(field, row, 2)
            closed.toggled.connect(lambda checked, d=day: self._closed_toggled(d, checked))
            spans.textEdited.connect(lambda _text, d=day: self._check(d))
        self.save_button = QPushButton("Save opening hours")
        self.save_button.clicked.connect(self.save)
        self.feedback = Feedback()
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(button_row(self.save_button))
        layout.addWidget(self.feedback)
        layout.addStretch(1)

    def _closed_toggled(self, day: str, closed: bool) -> None:
        self.spans[day].setEnabled(not closed)
        if closed:
            self.fields[rules.hours_field(day)].set_error(None)
        elif not self.spans[day].text().strip():
            self.spans[day].setText("09:00-18:00")
        if not self._filling:
            self.edited = True

    def _check(self, day: str) -> None:
        """Inline: the day's spans as typed are checked at once (the service checks them again)."""
        if not self._filling:
            self.edited = True
        try:
            rules.parse_day_hours(self.spans[day].text(), day)
        except ValidationError as error:
            self.fields[rules.hours_field(day)].set_error(error.message)
        else:
            self.fields[rules.hours_field(day)].set_error(None)

    def typed(self) -> dict[str, str]:
        return {day: "" if self.closed[day].isChecked() else self.spans[day].text() for day in rules.WEEKDAY_KEYS}

    def show_settings(self, settings: ClinicSettings) -> None:
        if self.edited:
            return
        self._filling = True
        self.stamp = settings.stamp
        for day in rules.WEEKDAY_KEYS:
            spans = settings.clinic.opening_hours.get(day)
            self.closed[day].setChecked(not spans)
            self.spans[day].setText(rules.format_day_hours(spans))
            self.spans[day].setEnabled(bool(spans))
            self.fields[rules.hours_field(day)].set_error(None)
        self._filling = False

    def save(self, affected_seen: int | None = None) -> None:
        ctx, hours, stamp = self.dialog.context, self.typed(), self.stamp
        self.feedback.said("")

        def saved(result: clinic_settings.SavedWithVisits) -> None:
            self.edited = False
            left = f" {result.affected.describe()} stay booked outside them." if result.affected else ""
            self.feedback.said("Saved." + left)

        self.dialog.write(self, lambda: clinic_settings.set_opening_hours(
            ctx.database, ctx.actor, hours, stamp=stamp, affected_seen=affected_seen), saved, self._failed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, VisitsAffectedError):
            if confirm_affected(self, error, "Save the hours"):
                self.save(affected_seen=error.affected.count)
            else:
                self.feedback.said("Not saved.", error=True)
            return
        if isinstance(error, ConflictError):
            self.edited = False
        show_refusal(error, self.fields, self.feedback, self)


class ClinicSettingsDialog(QDialog):
    """The five tabs, filled from one ``clinic_settings`` read and refilled on every clinic change."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.settings: ClinicSettings | None = None
        self.setWindowTitle("Clinic settings")
        self.clinic_tab = ClinicTab(self)
        self.hours_tab = HoursTab(self)
        self.rooms_tab = RoomsTab(self)
        self.visit_types_tab = VisitTypesTab(self)
        self.closures_tab = ClosuresTab(self)
        self.tabs = QTabWidget()
        for tab, title in ((self.clinic_tab, "Clinic"), (self.hours_tab, "Opening hours"), (self.rooms_tab, "Rooms"),
                           (self.visit_types_tab, "Visit types"), (self.closures_tab, "Closures && leave")):
            self.tabs.addTab(tab, title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close_button(self))
        self.resize(780, 600)  # inside a 1366×768 screen with its title bar and the taskbar
        refresh_on_changes(self, context.operations, lambda changes: changes.clinic or changes.staff, self.reload)
        self.reload()

    def reload(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: clinic_settings.clinic_settings(ctx.database, ctx.actor), self._show,
                             key="settings")

    def _show(self, settings: ClinicSettings) -> None:
        self.settings = settings
        for tab in (self.clinic_tab, self.hours_tab, self.rooms_tab, self.visit_types_tab, self.closures_tab):
            tab.show_settings(settings)

    def write(self, parent: QWidget, work: Callable[[], Any], on_success: Callable[[Any], None],
              on_failure: Callable[[BaseException], None]) -> None:
        """Every tab's writes: through the operations runner; the broadcast reloads the dialog."""
        self.context.operations.write(parent, work, on_success, on_failure=on_failure)

