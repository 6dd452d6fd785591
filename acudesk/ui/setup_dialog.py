"""First run: create the clinic and its first user (administrator and practitioner)."""

from __future__ import annotations

from zoneinfo import available_timezones

from acudesk.domain.errors import ValidationErrors
from acudesk.services.clinic import ClinicSetup, validate_setup
from acudesk.ui.forms import FieldWithError
from acudesk.ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

# Countries whose clinics we expect first; any code the holidays package supports is accepted.
COUNTRIES = (
    ("GB", "United Kingdom", "Europe/London"),
    ("IE", "Ireland", "Europe/Dublin"),
    ("US", "United States", "America/New_York"),
    ("CA", "Canada", "America/Toronto"),
    ("AU", "Australia", "Australia/Sydney"),
    ("NZ", "New Zealand", "Pacific/Auckland"),
    ("DE", "Germany", "Europe/Berlin"),
    ("FR", "France", "Europe/Paris"),
    ("NL", "Netherlands", "Europe/Amsterdam"),
    ("ES", "Spain", "Europe/Madrid"),
)


class SetupDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to AcuDesk")
        self.fields: dict[str, FieldWithError] = {}
        intro = QLabel(
            "<h2>Set up your clinic</h2><p>This creates your clinic's database and your own account. "
            "Afterwards, add colleagues in Administration → Users and roles, and set rooms, opening hours, "
            "visit types and fees, closures and your currency in Administration → Clinic settings.</p>"
        )
        intro.setWordWrap(True)
        self.country = QComboBox()
        for code, name, _zone in COUNTRIES:
            self.country.addItem(f"{name} ({code})", code)
        self.subdivision = QComboBox()
        self.timezone = QComboBox()
        self.timezone.addItems(sorted(available_timezones()))
        self.country.currentIndexChanged.connect(self._country_changed)
        clinic = QGroupBox("Clinic")
        form = QFormLayout(clinic)
        self._add(form, "clinic_name", "Clinic name *", QLineEdit())
        self._add(form, "country", "Country", self.country)
        self._add(form, "subdivision", "Region (public holidays)", self.subdivision)
        self._add(form, "timezone", "Time zone", self.timezone)
        you = QGroupBox("Your account (administrator and practitioner)")
        form = QFormLayout(you)
        self._add(form, "admin_display_name", "Your name *", QLineEdit())
        self._add(form, "admin_username", "User name *", QLineEdit())
        password = QLineEdit()
        password.setEchoMode(QLineEdit.EchoMode.Password)
        self._add(form, "admin_password", "Password *", password)
        again = QLineEdit()
        again.setEchoMode(QLineEdit.EchoMode.Password)
        self._add(form, "password_again", "Password again *", again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create clinic")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, clinic, you, buttons):
            layout.addWidget(widget)
        self._country_changed()
        self.setup: ClinicSetup | None = None

    def _add(self, form: QFormLayout, name: str, label: str, editor: QWidget) -> None:
        editor.setObjectName(name)
        self.fields[name] = FieldWithError(editor)
        form.addRow(label, self.fields[name])

    def _text(self, name: str) -> str:
        editor = self.fields[name].editor
        assert isinstance(editor, QLineEdit)  # the text fields; country, region and zone are combo boxes
        return editor.text()

    def _country_changed(self) -> None:
        import holidays

        code = self.country.currentData()
        self.subdivision.clear()
        self.subdivision.addItem("(whole country)", None)
        for sub in holidays.list_supported_countries().get(code, []):
            self.subdivision.addItem(sub, sub)
        if code == "GB":
            self.subdivision.setCurrentIndex(self.subdivision.findData("ENG"))
        zone = next(z for c, _n, z in COUNTRIES if c == code)
        self.timezone.setCurrentText(zone)

    def _accept(self) -> None:
        for wrapper in self.fields.values():
            wrapper.set_error(None)
        setup = ClinicSetup(
            clinic_name=self._text("clinic_name"),
            country=self.country.currentData(),
            subdivision=self.subdivision.currentData(),
            timezone=self.timezone.currentText(),
            admin_username=self._text("admin_username").strip(),
            admin_display_name=self._text("admin_display_name").strip(),
            admin_password=self._text("admin_password"),
        )
        try:
            validate_setup(setup)
        except ValidationErrors as error:
            for e in error.errors:
                if e.field in self.fields:
                    self.fields[e.field].set_error(e.message)
            return
        if self._text("password_again") != setup.admin_password:
            self.fields["password_again"].set_error("The two passwords differ.")
            return
        self.setup = setup
        self.accept()
