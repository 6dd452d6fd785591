"""View → High contrast (issue 18): the whole application switches to black on white with strong
borders and a dark accent, every named text/background pair passes WCAG AA (4.5:1, computed here),
and the choice is this computer's: a restarted application and a new main window start with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from acudesk.preferences import load_preferences
from acudesk.ui.app import create_application
from acudesk.ui.appearance import apply_appearance, high_contrast_palette
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QAction, QApplication, QColor, QPalette
from acudesk.ui.style import (
    HIGH_CONTRAST_ACCENT,
    HIGH_CONTRAST_BACKGROUND,
    HIGH_CONTRAST_PAIRS,
    HIGH_CONTRAST_STYLE_SHEET,
    STYLE_SHEET,
)

WCAG_AA = 4.5  # normal-size text (WCAG 2.x, success criterion 1.4.3)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance."""
    return 0.2126 * _linear(colour.red()) + 0.7152 * _linear(colour.green()) + 0.0722 * _linear(colour.blue())


def contrast(text: QColor, background: QColor) -> float:
    lighter, darker = sorted((luminance(text), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_ratio_is_computed_as_wcag_says() -> None:
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)  # just fails AA


@pytest.fixture
def usual_look_afterwards(qapp) -> Iterator[QApplication]:
    app = create_application()
    yield app
    apply_appearance(app, high_contrast=False)  # the application object outlives the test


@pytest.mark.parametrize(("meaning", "text", "background"), HIGH_CONTRAST_PAIRS,
                         ids=[pair[0] for pair in HIGH_CONTRAST_PAIRS])
def test_every_named_pair_of_high_contrast_passes_wcag_aa(meaning: str, text: str, background: str) -> None:
    assert contrast(QColor(text), QColor(background)) >= WCAG_AA, meaning


def test_the_high_contrast_palette_pairs_pass_wcag_aa(qapp) -> None:
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = high_contrast_palette()
    pairs = [(group.Active, role.WindowText, role.Window), (group.Active, role.Text, role.Base),
             (group.Active, role.Text, role.AlternateBase), (group.Active, role.ButtonText, role.Button),
             (group.Active, role.HighlightedText, role.Highlight), (group.Active, role.ToolTipText, role.ToolTipBase),
             (group.Active, role.PlaceholderText, role.Base), (group.Inactive, role.HighlightedText, role.Highlight),
             (group.Disabled, role.Text, role.Base), (group.Disabled, role.ButtonText, role.Button)]
    for colour_group, text, background in pairs:
        ratio = contrast(palette.color(colour_group, text), palette.color(colour_group, background))
        assert ratio >= WCAG_AA, f"{text.name} on {background.name} ({colour_group.name}): {ratio:.2f}"


def test_high_contrast_from_the_view_menu_changes_the_look_and_survives_a_restart(
    qtbot, context: AppContext, usual_look_afterwards: QApplication
) -> None:
    app = usual_look_afterwards
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    action = window.findChild(QAction, "highContrastAction")
    assert action in view.actions() and action.isCheckable() and not action.isChecked()
    assert app.styleSheet() == STYLE_SHEET
    usual_window = app.palette().color(QPalette.ColorRole.Window)

    action.trigger()
    assert app.styleSheet() == HIGH_CONTRAST_STYLE_SHEET != STYLE_SHEET
    assert "3px solid" in app.styleSheet()  # the thick focus outline
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(HIGH_CONTRAST_BACKGROUND)
    assert app.palette().color(QPalette.ColorRole.Highlight) == QColor(HIGH_CONTRAST_ACCENT)
    assert window.palette().color(QPalette.ColorRole.WindowText) == QColor("#000000")  # the windows follow
    assert load_preferences().high_contrast

    # A restart: the application is set up again and a new main window is made; both read the preference.
    window.close()
    apply_appearance(app, high_contrast=False)
    assert app.styleSheet() == STYLE_SHEET
    create_application()
    assert app.styleSheet() == HIGH_CONTRAST_STYLE_SHEET
    again = MainWindow(context)
    qtbot.addWidget(again)
    again_action = again.findChild(QAction, "highContrastAction")
    assert again_action.isChecked()

    again_action.trigger()  # and off again
    assert app.styleSheet() == STYLE_SHEET
    assert app.palette().color(QPalette.ColorRole.Window) == usual_window
    assert not load_preferences().high_contrast
