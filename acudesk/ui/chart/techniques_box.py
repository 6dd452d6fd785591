"""Techniques of a plan with their parameters: retention; frequency and intensity for electroacupuncture."""

from __future__ import annotations

from acudesk.domain.intake import techniques
from acudesk.services.plans import DEFAULT_RETENTION, PlannedTechnique
from acudesk.ui.qt import QCheckBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QSpinBox, QWidget, Signal

ELECTRICAL = ("electroacupuncture", "tens")


class TechniquesBox(QGroupBox):
    toggled = Signal(str, bool)  # technique, checked (so the plan can run the safety check)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Techniques", parent)
        self.boxes: dict[str, QCheckBox] = {}
        self.overrides: dict[str, str] = {}
        grid = QGridLayout(self)
        for index, name in enumerate(techniques()):
            box = QCheckBox(name.replace("_", " "))
            box.setObjectName(f"technique_{name}")
            box.toggled.connect(lambda on, name=name: self.toggled.emit(name, on))
            box.toggled.connect(lambda _on: self._enable())
            self.boxes[name] = box
            grid.addWidget(box, index // 4, index % 4)
        row = len(self.boxes) // 4 + 1
        self.retention = QSpinBox()
        self.retention.setRange(1, 60)
        self.retention.setValue(DEFAULT_RETENTION)
        self.retention.setSuffix(" min")
        self.frequency = QSpinBox()
        self.frequency.setRange(1, 200)
        self.frequency.setValue(2)
        self.frequency.setSuffix(" Hz")
        self.intensity = QDoubleSpinBox()
        self.intensity.setRange(0, 20)
        self.intensity.setSingleStep(0.5)
        self.intensity.setValue(2.0)
        self.intensity.setSuffix(" mA")
        editors: tuple[tuple[str, QSpinBox | QDoubleSpinBox], ...] = (
            ("Retention", self.retention), ("EA frequency", self.frequency), ("EA intensity", self.intensity))
        for column, (label, editor) in enumerate(editors):
            grid.addWidget(QLabel(label), row, column * 2 if column < 2 else 4)
            grid.addWidget(editor, row + 1, column * 2 if column < 2 else 4)
            editor.valueChanged.connect(lambda _v: self.changed.emit())
        self.boxes["manual"].setChecked(True)
        self._enable()

    def _enable(self) -> None:
        electrical = any(self.boxes[name].isChecked() for name in ELECTRICAL if name in self.boxes)
        self.frequency.setEnabled(electrical)
        self.intensity.setEnabled(electrical)
        self.changed.emit()

    def selected(self) -> tuple[PlannedTechnique, ...]:
        result = []
        for name, box in self.boxes.items():
            if not box.isChecked():
                continue
            params: dict[str, float] = {"retention_minutes": self.retention.value()}
            if name in ELECTRICAL:
                params.update(frequency_hz=self.frequency.value(), intensity_ma=self.intensity.value())
            result.append(PlannedTechnique(name, params, self.overrides.get(name, "")))
        return tuple(result)

    def set_selected(self, chosen: tuple[PlannedTechnique, ...]) -> None:
        self.blockSignals(True)
        for box in self.boxes.values():
            box.blockSignals(True)
        by_name = {t.technique: t for t in chosen}
        self.overrides = {t.technique: t.override_reason for t in chosen if t.override_reason}
        for name, box in self.boxes.items():
            box.setChecked(name in by_name)
        for tech in chosen:
            params = tech.parameters
            if "retention_minutes" in params:
                self.retention.setValue(int(params["retention_minutes"]))
            if "frequency_hz" in params:
                self.frequency.setValue(int(params["frequency_hz"]))
            if "intensity_ma" in params:
                self.intensity.setValue(float(params["intensity_ma"]))
        for box in self.boxes.values():
            box.blockSignals(False)
        self.blockSignals(False)
        self._enable()

    def uncheck(self, name: str) -> None:
        box = self.boxes[name]
        box.blockSignals(True)
        box.setChecked(False)
        box.blockSignals(False)
        self._enable()
